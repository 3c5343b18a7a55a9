package dev.prtelemetry.schemas.model;

import java.util.regex.Pattern;

/**
 * Git object ids as the trace format takes them ({@code common.schema.json}: {@code gitSha},
 * {@code gitShaOrAbbreviated}): a full SHA-1 (40 hex) or SHA-256 (64 hex) id, or an abbreviated one — a
 * prefix of 4 to 39 hex digits (git's own minimum is 4), stored as given and marked abbreviated.
 */
public final class GitIds {
    private static final Pattern FULL = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern ABBREVIATED = Pattern.compile("[0-9a-f]{4,39}");

    private GitIds() {
    }

    public static boolean isFull(String id) {
        return id != null && FULL.matcher(id).matches();
    }

    public static boolean isAbbreviated(String id) {
        return id != null && ABBREVIATED.matcher(id).matches();
    }
}
