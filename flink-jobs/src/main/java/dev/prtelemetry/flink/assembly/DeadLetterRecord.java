package dev.prtelemetry.flink.assembly;

/** A record the job could not use, with the reason, for {@code prt.dead-letter}. */
public class DeadLetterRecord {
    public String traceId;
    public String reason;
    public String recordJson;
    public long atMs;

    public DeadLetterRecord() {
    }

    public DeadLetterRecord(String traceId, String reason, String recordJson, long atMs) {
        this.traceId = traceId;
        this.reason = reason;
        this.recordJson = recordJson;
        this.atMs = atMs;
    }
}
