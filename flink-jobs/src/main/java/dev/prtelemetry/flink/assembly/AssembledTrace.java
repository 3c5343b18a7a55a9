package dev.prtelemetry.flink.assembly;

/** A trace that reached a final status: its whole document, and its last row for the table. */
public class AssembledTrace {
    public String traceId;
    /** The document, UTF-8 JSON. */
    public byte[] documentJson;
    public TraceRow row;

    public AssembledTrace() {
    }

    public AssembledTrace(String traceId, byte[] documentJson, TraceRow row) {
        this.traceId = traceId;
        this.documentJson = documentJson;
        this.row = row;
    }
}
