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

    private Topics() {
    }
}
