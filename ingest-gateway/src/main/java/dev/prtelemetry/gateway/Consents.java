package dev.prtelemetry.gateway;

import dev.prtelemetry.schemas.model.Consent;
import dev.prtelemetry.schemas.model.Requests;
import dev.prtelemetry.schemas.validation.Violation;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The consent and retention record of each trace ({@code trace_consents}), written in the request
 * that creates the trace, before its header goes to Kafka: what was granted (scopes, consent text
 * version, when) and when the trace is deleted. The same normalised consent and {@code retain_until}
 * ride in the header, so they reach the trace row, the document and the assembled-traces topic.
 */
@Singleton
public class Consents {
    private static final double CLOCK_SKEW_S = 300;

    private final DataSource dataSource;
    private final PrivacyConfig config;

    public Consents(DataSource dataSource, PrivacyConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    /**
     * The consent as recorded from a create request's (schema-checked) {@code consent}: the scopes
     * listed (the deployment's default when none are), the consent text version (the deployment's
     * when none is named) and when it was granted (now, unless the request says earlier).
     */
    public Consent normalise(Requests.Consent asked, double now) {
        if (asked == null) {
            PrivacyConfig.DeploymentConsent declared = config.deploymentConsent();
            if (declared == null) {
                throw Problem.consentRequired("a trace is recorded only with its participant's consent: send consent.granted = true"
                        + " and the scopes granted (" + Consent.Scope.listed() + "); this deployment does not record consent outside"
                        + " the API (PRT_DEPLOYMENT_CONSENT_TEXT_VERSION and _SCOPES are unset); nothing was stored",
                        List.of(new Violation("/consent", "required", "required property 'consent' not found")));
            }
            return new Consent(declared.scopes(), declared.textVersion(), now, Consent.DEPLOYMENT);
        }
        List<Consent.Scope> scopes = new ArrayList<>();
        if (asked.scopes() != null) {
            for (String s : asked.scopes()) {
                scopes.add(Consent.Scope.of(s).orElseThrow(() -> Problem.consentRequired("unknown consent scope '" + s
                        + "'; nothing was stored", List.of(new Violation("/consent/scopes", "enum", "scopes are "
                        + Consent.Scope.listed())))));
            }
        } else {
            scopes.addAll(config.defaultScopes());
        }
        if (scopes.isEmpty()) {
            throw Problem.consentRequired("consent grants no scope; nothing was stored", List.of(new Violation(
                    "/consent/scopes", "minItems", "name at least one of " + Consent.Scope.listed())));
        }
        double grantedAt = asked.grantedAt() != null ? asked.grantedAt() : now;
        if (grantedAt > now + CLOCK_SKEW_S) {
            throw Problem.invalid("consent cannot be granted in the future", List.of(new Violation(
                    "/consent/granted_at", "maximum", "is " + (long) (grantedAt - now) + " s after this request")));
        }
        return new Consent(scopes, asked.textVersion() != null ? asked.textVersion() : config.defaultTextVersion(), grantedAt);
    }

    /** When the trace is deleted: now + retention, or the request's earlier {@code retain_until}. */
    public double retainUntil(Requests.CreateTrace create, double now) {
        double max = now + config.retention().toMillis() / 1000.0;
        if (create.retainUntil() == null) {
            return max;
        }
        double asked = create.retainUntil();
        if (asked <= now) {
            throw Problem.invalid("retain_until is in the past", List.of(new Violation(
                    "/retain_until", "minimum", "must be after the time of this request")));
        }
        if (asked > max + CLOCK_SKEW_S) {
            throw Problem.invalid("retain_until is past this deployment's retention", List.of(new Violation(
                    "/retain_until", "maximum", "traces are kept at most " + human(config.retention()) + " here")));
        }
        return Math.min(asked, max);
    }

    /**
     * Records the consent of a trace; false when the trace id belongs to another participant (nothing written).
     * A retried creation of the same participant's trace updates its record.
     */
    public boolean record(String traceId, String participantId, Consent consent, double retainUntil, double now)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO trace_consents (trace_id, participant_id, scopes, text_version, granted_at, retain_until, created_at, source)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (trace_id) DO UPDATE SET scopes = EXCLUDED.scopes, text_version = EXCLUDED.text_version,
                         granted_at = EXCLUDED.granted_at, retain_until = EXCLUDED.retain_until, source = EXCLUDED.source
                     WHERE trace_consents.participant_id = EXCLUDED.participant_id
                     RETURNING trace_id""")) {
            ps.setString(1, traceId);
            ps.setString(2, participantId);
            ps.setArray(3, c.createArrayOf("text", consent.scopeNames().toArray()));
            ps.setString(4, consent.textVersion());
            ps.setTimestamp(5, seconds(consent.grantedAt()));
            ps.setTimestamp(6, seconds(retainUntil));
            ps.setTimestamp(7, seconds(now));
            ps.setString(8, consent.source());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The participant of a trace with a consent record, or null. */
    public String participantOf(String traceId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT participant_id FROM trace_consents WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Timestamp seconds(double s) {
        return new Timestamp(Math.round(s * 1000));
    }

    static String human(Duration d) {
        return d.toDays() >= 1 && d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toString();
    }
}
