package dev.prtelemetry.schemas.stream;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where an assembled trace document lives: {@code <base>/traces/dt=YYYY-MM-DD/<trace_id>.json},
 * the day being the UTC day of the trace's creation as the gateway recorded it (the header's
 * {@code created_at}, the same instant as {@code trace_consents.created_at}). One function,
 * used by the document writer, the readers and erasure — so erasure computes the path exactly
 * instead of guessing the day.
 */
public final class DocumentLocation {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private DocumentLocation() {
    }

    /** {@code base} without a trailing slash, e.g. {@code s3://prt-traces} or {@code file:///tmp/docs}. */
    public static String of(String base, String traceId, Instant createdAt) {
        if (traceId == null || traceId.isEmpty() || traceId.contains("/")) {
            throw new IllegalArgumentException("not a trace id: '" + traceId + "'");
        }
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return b + "/traces/dt=" + DAY.format(createdAt) + "/" + traceId + ".json";
    }

    /** As above, with the creation time in epoch seconds (the header's {@code created_at}). */
    public static String of(String base, String traceId, double createdAtSeconds) {
        return of(base, traceId, Instant.ofEpochMilli(Math.round(createdAtSeconds * 1000)));
    }
}
