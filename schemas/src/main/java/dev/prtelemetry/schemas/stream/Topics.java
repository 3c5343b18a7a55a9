package dev.prtelemetry.schemas.stream;

/**
 * Every Kafka topic of PR Telemetry. Records on each are UTF-8 JSON keyed by trace id, so
 * one trace's records stay in one partition, in order.
 */
public final class Topics {
    /** Raw trace records from the gateway: headers, chunks, completions ({@link TraceRecords}). */
    public static final String TRACE_RECORDS = "prt.trace-records";
    /** One claim-check record per assembled trace: id, S3 URI, digest, summary. */
    public static final String TRACES_ASSEMBLED = "prt.traces-assembled";
    /** QA results: one record per (trace digest, verifier), keyed by trace id. */
    public static final String QA_RESULTS = "prt.qa-results";
    /** Records the assembly could not use, with the reason. */
    public static final String DEAD_LETTER = "prt.dead-letter";
    /**
     * Live metrics: one record per window and key (window size, dimension, key, start), compacted so
     * the newest emission of every window survives. Keyed by that id, not by trace id.
     */
    public static final String METRICS = "prt.metrics";

    private Topics() {
    }

    /**
     * Topic settings that carry the data-minimisation and retention rules (README "Retention"):
     * the raw records topic keeps records only as long as a replay of it may need them
     * ({@code rawRetention}, never longer than the trace retention); dead letters hold redacted record
     * text for as long; the assembled-traces topic is compacted, so an erasure's tombstone removes
     * the trace's claim checks; QA results expire with the traces they judge.
     *
     * @throws IllegalArgumentException when {@code rawRetention} is longer than {@code retention}
     */
    public static java.util.Map<String, java.util.Map<String, String>> configs(java.time.Duration rawRetention,
                                                                            java.time.Duration retention) {
        if (rawRetention.compareTo(retention) > 0) {
            throw new IllegalArgumentException("the raw topic's retention (" + rawRetention + ") is longer than the trace retention ("
                    + retention + "): raw records would outlive the traces deleted from them");
        }
        String raw = String.valueOf(rawRetention.toMillis());
        return java.util.Map.of(
                TRACE_RECORDS, java.util.Map.of("cleanup.policy", "delete", "retention.ms", raw),
                DEAD_LETTER, java.util.Map.of("cleanup.policy", "delete", "retention.ms", raw),
                TRACES_ASSEMBLED, java.util.Map.of("cleanup.policy", "compact",
                        // compaction only touches closed segments: roll hourly, clean when 10 % is dirty
                        "segment.ms", "3600000", "min.cleanable.dirty.ratio", "0.1",
                        // how long a tombstone itself stays for consumers to see it
                        "delete.retention.ms", "86400000"),
                QA_RESULTS, java.util.Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(retention.toMillis())),
                // the newest emission of each window is kept; windows older than the trace retention go
                METRICS, java.util.Map.of("cleanup.policy", "compact,delete", "retention.ms", String.valueOf(retention.toMillis()),
                        "segment.ms", "3600000", "min.cleanable.dirty.ratio", "0.1"));
    }

    /** A duration written as {@code 90d}, {@code 12h}, {@code 30m}, {@code 45s}, {@code 500ms} or ISO-8601 ({@code P7D}). */
    public static java.time.Duration parseDuration(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return java.time.Duration.parse(t);
            }
            if (t.endsWith("ms")) {
                return java.time.Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 'd' -> java.time.Duration.ofDays(n);
                case 'h' -> java.time.Duration.ofHours(n);
                case 'm' -> java.time.Duration.ofMinutes(n);
                case 's' -> java.time.Duration.ofSeconds(n);
                default -> throw new IllegalArgumentException(t);
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write 90d, 12h, 30m, 45s, 500ms or P7D)");
        }
    }
}
