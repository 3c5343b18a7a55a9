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
 */
public record PrivacyConfig(Duration retention, List<Consent.Scope> defaultScopes, String defaultTextVersion, Duration uploadTokenTtl) {

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
                                    GatewayConfig gateway) {
            List<Consent.Scope> defaults = Arrays.stream(scopes.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> Consent.Scope.of(s).orElseThrow(() -> new IllegalStateException("PRT_CONSENT_DEFAULT_SCOPES: '" + s
                            + "' is not one of " + Consent.Scope.listed())))
                    .toList();
            return new PrivacyConfig(retention, defaults, textVersion, gateway.uploadTokenTtl());
        }
    }
}
