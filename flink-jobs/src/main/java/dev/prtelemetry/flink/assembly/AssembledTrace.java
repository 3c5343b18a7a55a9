package dev.prtelemetry.flink.assembly;

/** A trace that reached a final status: its whole document, and its last row for the table. */
public class AssembledTrace {
    public String traceId;
    public String documentJson;
    public TraceRow row;

    public AssembledTrace() {
    }

    public AssembledTrace(String traceId, String documentJson, TraceRow row) {
        this.traceId = traceId;
        this.documentJson = documentJson;
        this.row = row;
    }
}
