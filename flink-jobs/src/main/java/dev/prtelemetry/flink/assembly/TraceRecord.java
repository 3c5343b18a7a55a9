package dev.prtelemetry.flink.assembly;

/**
 * One record of {@code prt.trace-records} as the job reads it: the routing fields pulled
 * out, the record itself kept as its UTF-8 bytes (parsed once, by the assembly). A record that could
 * not be read carries {@code error} and goes to the dead-letter topic.
 */
public class TraceRecord {
    public String traceId;
    public String kind;
    public long chunkSeq = -1;
    public String digest;
    /** The record's value, UTF-8 JSON as it was read from Kafka (bytes: no decoding, and a plain copy between operators). */
    public byte[] body;
    public String error;
    /** The Kafka record's timestamp: the gateway's receive time (ms); 0 when not known. */
    public long receivedAtMs;
    /** On an erase record a participant asked for: whose data it erases. */
    public String participantId;

    public TraceRecord() {
    }

    public static TraceRecord invalid(String key, String raw, String error) {
        TraceRecord r = new TraceRecord();
        r.traceId = key;
        r.kind = "invalid";
        r.body = raw == null ? new byte[0] : raw.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        r.error = error;
        return r;
    }

    /** The record's value as text (for dead letters and messages). */
    public String text() {
        return body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    public boolean isValid() {
        return error == null;
    }
}
