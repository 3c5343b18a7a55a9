package dev.prtelemetry.flink.assembly;

/**
 * One record of {@code prt.trace-records} as the job reads it: the routing fields pulled
 * out, the record itself kept as JSON text (parsed only where needed). A record that could
 * not be read carries {@code error} and goes to the dead-letter topic.
 */
public class TraceRecord {
    public String traceId;
    public String kind;
    public long chunkSeq = -1;
    public String digest;
    public String json;
    public String error;

    public TraceRecord() {
    }

    public static TraceRecord invalid(String key, String raw, String error) {
        TraceRecord r = new TraceRecord();
        r.traceId = key;
        r.kind = "invalid";
        r.json = raw;
        r.error = error;
        return r;
    }

    public boolean isValid() {
        return error == null;
    }
}
