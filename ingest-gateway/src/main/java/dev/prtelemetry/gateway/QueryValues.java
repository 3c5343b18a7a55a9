package dev.prtelemetry.gateway;

import java.time.Instant;

/** Query-string values the read endpoints and the console share: absent or blank is null, a bad one a 400 {@link Problem}. */
public final class QueryValues {
    private QueryValues() {
    }

    /** An ISO-8601 instant ({@code from}, {@code to}). */
    public static Instant instant(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (RuntimeException e) {
            throw Problem.badRequest("bad-time", name + " must be an ISO-8601 instant such as 2026-11-26T12:00:00Z");
        }
    }

    /** A {@code min_score}. */
    public static Double score(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Double.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw Problem.badRequest("bad-score", "min_score is a number such as 3.5");
        }
    }
}
