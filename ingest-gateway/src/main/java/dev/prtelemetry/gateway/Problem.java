package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.Violation;
import java.util.List;

/**
 * An RFC 9457 problem: a stable {@code type} per kind of error, a status, a plain
 * {@code detail}, and for a bad document an {@code errors} list with a JSON Pointer each.
 * Thrown by services, rendered as {@code application/problem+json} by {@link ProblemHandler}.
 */
public final class Problem extends RuntimeException {
    public static final String TYPE_BASE = "https://prtelemetry.dev/problems/";

    private final int status;
    private final String slug;
    private final String title;
    private final List<Violation> violations;
    private final Long retryAfterSeconds;

    public Problem(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, List.of(), null);
    }

    public Problem(int status, String slug, String title, String detail, List<Violation> violations, Long retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.violations = violations;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public String toJson(String instance) {
        ObjectNode p = StrictJson.mapper().createObjectNode();
        p.put("type", TYPE_BASE + slug);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", getMessage());
        if (instance != null) {
            p.put("instance", instance);
        }
        if (!violations.isEmpty()) {
            ArrayNode errors = p.putArray("errors");
            for (Violation v : violations) {
                errors.addObject().put("pointer", v.pointer()).put("detail", v.message()).put("keyword", v.keyword());
            }
        }
        return p.toString();
    }

    public static Problem badRequest(String slug, String detail) {
        return new Problem(400, slug, "Bad request", detail);
    }

    /** A trace without the participant's consent (missing, not granted, no valid scope): 422, nothing stored. */
    static Problem consentRequired(String detail, List<Violation> violations) {
        return new Problem(422, "consent-required", "Consent is required", detail, violations, null);
    }

    public List<Violation> violations() {
        return violations;
    }

    static Problem invalid(String detail, List<Violation> violations) {
        return new Problem(422, "schema-violation", "The document breaks the trace format v1 schema", detail, violations, null);
    }

    public static Problem unauthorized(String detail) {
        return new Problem(401, "unauthorized", "Missing or invalid credentials", detail);
    }

    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", "Not allowed for this credential", detail);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, "not-found", "Not found", detail);
    }

    static Problem conflict(String detail) {
        return new Problem(409, "conflict", "Conflict", detail);
    }

    static Problem gone(String detail) {
        return new Problem(410, "gone", "Gone", detail);
    }

    static Problem tooLarge(String detail) {
        return new Problem(413, "too-large", "Request body too large", detail);
    }

    static Problem unsupportedMediaType(String detail) {
        return new Problem(415, "unsupported-media-type", "Unsupported media type", detail);
    }

    static Problem tooManyRequests(long retryAfter) {
        return new Problem(429, "rate-limited", "Too many requests", "this token's request rate is exceeded; retry after "
                + retryAfter + " s", List.of(), retryAfter);
    }

    static Problem unavailable(String detail) {
        return new Problem(503, "unavailable", "Temporarily unavailable", detail + "; nothing was accepted, retry",
                List.of(), 2L);
    }

    /**
     * A PostgreSQL failure (reads, consent records, erasure, the retention sweep): a retryable 503,
     * logged with its cause. Every write that can fail this way is a transaction or an idempotent
     * upsert, so a retry is safe.
     */
    public static Problem database(java.sql.SQLException e) {
        LOG.warn("database error", e);
        return new Problem(503, "unavailable", "Service unavailable",
                "the database failed this request (" + e.getSQLState() + "); retry later", List.of(), 5L);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Problem.class);
}
