package dev.prtelemetry.flink.assembly;

/**
 * A trace that reached a final status: its document without the events (they are in the
 * trace's chunk rows, {@code chunkCount} of them), and its last row for the table.
 */
public class AssembledTrace {
    public String traceId;
    /** The document's members other than {@code events}, as a UTF-8 JSON object ({@link TraceDocuments#skeleton}). */
    public byte[] skeleton;
    /** Chunk rows 0..chunkCount-1 hold the events, in order. */
    public long chunkCount;
    /** The gateway's creation time, epoch seconds (names the document's day); -1 if unknown. */
    public double createdAtS;
    public TraceRow row;

    public AssembledTrace() {
    }

    public AssembledTrace(String traceId, byte[] skeleton, long chunkCount, double createdAtS, TraceRow row) {
        this.traceId = traceId;
        this.skeleton = skeleton;
        this.chunkCount = chunkCount;
        this.createdAtS = createdAtS;
        this.row = row;
    }
}
