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
    public long duplicatesDropped;
    public long createdAtMs;
    public long updatedAtMs;

    public TraceRow() {
    }
}
