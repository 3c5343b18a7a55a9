package dev.prtelemetry.flink.assembly;

/** One upsert of the {@code traces} table: the trace's current state, newest version wins. */
public class TraceRow {
    public String traceId;
    public String participantId;
    public String taskId;
    public String status;
    public long version;
    public long eventCount;
    public long chunkCount;
    public String chainHead;
    public String merkleRoot;
    public String verdict;
    public String reasonsJson;
    public String metricsJson;
    public String headerJson;
    public String documentUri;
    /** The document less its events, set on the row written with the document (else null: the stored one is kept). */
    public String skeletonJson;
    public long duplicatesDropped;
    public long createdAtMs;
    public long updatedAtMs;

    public TraceRow() {
    }
}
