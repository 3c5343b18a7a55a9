package dev.prtelemetry.gateway;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import dev.prtelemetry.schemas.model.Consent;

/**
 * Consent and retention settings of a deployment ({@code prt.privacy.*}, {@code PRT_*} variables).
 *
 * @param retention          how long a trace is kept (its {@code retain_until} = creation + this; a
 *                           create request may ask for less, never more); default 90 days
 * @param defaultScopes      the scopes recorded when a create request grants consent without listing
 *                           any: what this deployment's consent form grants
 * @param defaultTextVersion the consent text version recorded when a request names none
 * @param uploadTokenTtl     how long an upload token lives: the gateway keeps erasures this recent in memory
 * @param deploymentConsent  null, or the consent this deployment records outside the API (its own form,
 *                           a signed agreement) for clients that send none: the replaced system's clients
 *                           and imports of its traces; recorded on each such trace with source {@code deployment}
 */
public record PrivacyConfig(Duration retention, List<Consent.Scope> defaultScopes, String defaultTextVersion, Duration uploadTokenTtl,
                            DeploymentConsent deploymentConsent) {

    /** The consent text version and scopes a deployment declares it collected outside the API. */
    public record DeploymentConsent(String textVersion, List<Consent.Scope> scopes) {
        public DeploymentConsent {
            scopes = List.copyOf(scopes);
        }
    }

    public PrivacyConfig(Duration retention, List<Consent.Scope> defaultScopes, String defaultTextVersion, Duration uploadTokenTtl) {
        this(retention, defaultScopes, defaultTextVersion, uploadTokenTtl, null);
    }

    public PrivacyConfig {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalStateException("PRT_RETENTION must be positive, was " + retention);
        }
        defaultScopes = List.copyOf(defaultScopes);
    }

    @Factory
    static class FromProperties {
        @Singleton
        PrivacyConfig privacyConfig(@Value("${prt.privacy.retention:90d}") Duration retention,
                                    @Value("${prt.privacy.consent-default-scopes:training,evaluation}") String scopes,
                                    @Value("${prt.privacy.consent-text-version:prt-consent-v1}") String textVersion,
                                    @Value("${prt.privacy.deployment-consent-text-version:}") String deploymentTextVersion,
                                    @Value("${prt.privacy.deployment-consent-scopes:}") String deploymentScopes,
                                    GatewayConfig gateway) {
            List<Consent.Scope> defaults = scopes(scopes, "PRT_CONSENT_DEFAULT_SCOPES");
            return new PrivacyConfig(retention, defaults, textVersion, gateway.uploadTokenTtl(),
                    deploymentConsent(deploymentTextVersion, deploymentScopes));
        }

        /** Both settings or neither: a deployment that collects consent outside the API names what was agreed to. */
        static DeploymentConsent deploymentConsent(String textVersion, String scopes) {
            boolean hasText = textVersion != null && !textVersion.isBlank();
            boolean hasScopes = scopes != null && !scopes.isBlank();
            if (hasText != hasScopes) {
                throw new IllegalStateException("PRT_DEPLOYMENT_CONSENT_TEXT_VERSION and PRT_DEPLOYMENT_CONSENT_SCOPES go together:"
                        + " set both (the consent text your deployment collects outside the API, and what it grants) or neither");
            }
            if (!hasText) {
                return null;
            }
            if (textVersion.strip().length() > 64) {
                throw new IllegalStateException("PRT_DEPLOYMENT_CONSENT_TEXT_VERSION is at most 64 characters");
            }
            List<Consent.Scope> list = scopes(scopes, "PRT_DEPLOYMENT_CONSENT_SCOPES");
            if (list.isEmpty()) {
                throw new IllegalStateException("PRT_DEPLOYMENT_CONSENT_SCOPES names no scope; name some of " + Consent.Scope.listed());
            }
            return new DeploymentConsent(textVersion.strip(), list);
        }

        private static List<Consent.Scope> scopes(String csv, String setting) {
            return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> Consent.Scope.of(s).orElseThrow(() -> new IllegalStateException(setting + ": '" + s
                            + "' is not one of " + Consent.Scope.listed())))
                    .distinct().toList();
        }
    }
}
