package dev.prtelemetry.schemas.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.StrictJson;

/**
 * The records the gateway writes to {@link Topics#TRACE_RECORDS} (key = trace id), the
 * contract between the gateway and the trace assembly:
 *
 * <pre>
 * {"kind":"header",   "trace_id":…, "received_at":…, "header":   {create-trace request + issued fields}}
 * {"kind":"chunk",    "trace_id":…, "received_at":…, "chunk_seq":n, "digest":…, "chunk": {chunk_id, chunk_seq, events}}
 * {"kind":"complete", "trace_id":…, "received_at":…, "complete": {final_seq, chain_head, …}}
 * </pre>
 *
 * A chunk's digest is the SHA-256 of its RFC 8785 form as the client sent it, before the
 * gateway stamps {@code ts_server_s}, so a re-send of the same chunk has the same digest.
 */
public final class TraceRecords {
    public static final String HEADER = "header";
    public static final String CHUNK = "chunk";
    public static final String COMPLETE = "complete";

    private TraceRecords() {
    }

    public static ObjectNode header(String traceId, double receivedAt, JsonNode header) {
        ObjectNode r = base(HEADER, traceId, receivedAt);
        r.set("header", header);
        return r;
    }

    /** A chunk record; stamps {@code ts_server_s} = receivedAt on each event (after taking the digest). */
    public static ObjectNode chunk(String traceId, double receivedAt, JsonNode chunk) {
        String digest = digest(chunk);
        ObjectNode stamped = chunk.deepCopy();
        for (JsonNode e : stamped.path("events")) {
            if (e.isObject()) {
                ((ObjectNode) e).put("ts_server_s", receivedAt);
            }
        }
        ObjectNode r = base(CHUNK, traceId, receivedAt);
        r.put("chunk_seq", chunk.path("chunk_seq").asLong());
        r.put("digest", digest);
        r.set("chunk", stamped);
        return r;
    }

    public static ObjectNode complete(String traceId, double receivedAt, JsonNode complete) {
        ObjectNode r = base(COMPLETE, traceId, receivedAt);
        r.set("complete", complete);
        return r;
    }

    /** SHA-256 of the chunk's canonical form without the gateway's server timestamps. */
    public static String digest(JsonNode chunk) {
        ObjectNode copy = chunk.deepCopy();
        for (JsonNode e : copy.path("events")) {
            if (e.isObject()) {
                ((ObjectNode) e).remove("ts_server_s");
            }
        }
        return Sha256.hex(Sha256.digest(CanonicalJson.canonicalBytes(copy)));
    }

    private static ObjectNode base(String kind, String traceId, double receivedAt) {
        ObjectNode r = StrictJson.mapper().createObjectNode();
        r.put("kind", kind);
        r.put("trace_id", traceId);
        r.put("received_at", receivedAt);
        return r;
    }
}
