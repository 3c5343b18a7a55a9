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
 * {"kind":"erase",    "trace_id":…, "received_at":…, "erase":    {reason, erasure_id[, participant_id]}}
 * </pre>
 *
 * An erase record (written when a participant's data is erased or a trace's retention ends)
 * drops whatever the assembly still holds of the trace; records after it are dead letters.
 *
 * A chunk's digest is the SHA-256 of its RFC 8785 form as the client sent it, without any
 * {@code ts_server_s}, so a re-send of the same chunk has the same digest. The gateway's
 * receive time rides once per record ({@code received_at}); the assembly writes it into each
 * event as {@code ts_server_s} (outside the hash), replacing any value a client sent.
 */
public final class TraceRecords {
    public static final String HEADER = "header";
    public static final String CHUNK = "chunk";
    public static final String COMPLETE = "complete";
    public static final String ERASE = "erase";

    /**
     * Kafka headers the gateway sets on every record so the assembly routes it (trace, kind,
     * chunk seq, digest) without parsing the body; the idempotency key is kept for tracing retries.
     */
    public static final String KIND_HEADER = "prt-kind";
    public static final String CHUNK_SEQ_HEADER = "prt-chunk-seq";
    public static final String DIGEST_HEADER = "prt-digest";
    public static final String IDEMPOTENCY_KEY_HEADER = "prt-idempotency-key";

    private TraceRecords() {
    }

    public static ObjectNode header(String traceId, double receivedAt, JsonNode header) {
        ObjectNode r = base(HEADER, traceId, receivedAt);
        r.set("header", header);
        return r;
    }

    /** A chunk record (as a tree), the chunk as the client sent it. */
    public static ObjectNode chunk(String traceId, double receivedAt, JsonNode chunk) {
        ObjectNode r = base(CHUNK, traceId, receivedAt);
        r.put("chunk_seq", chunk.path("chunk_seq").asLong());
        r.put("digest", digest(chunk));
        r.set("chunk", chunk);
        return r;
    }

    /**
     * The same record as {@link #chunk}, as text, with the chunk embedded byte for byte as the
     * client sent it ({@code rawChunkJson}, already parsed and validated, with {@code digest}
     * = {@link #digest} of it): the gateway never serializes a chunk again.
     */
    public static String chunkText(String traceId, double receivedAt, long chunkSeq, String digest, String rawChunkJson) {
        ObjectNode head = base(CHUNK, traceId, receivedAt);
        head.put("chunk_seq", chunkSeq);
        head.put("digest", digest);
        String prefix = head.toString();
        return prefix.substring(0, prefix.length() - 1) + ",\"chunk\":" + rawChunkJson.strip() + "}";
    }

    public static ObjectNode complete(String traceId, double receivedAt, JsonNode complete) {
        ObjectNode r = base(COMPLETE, traceId, receivedAt);
        r.set("complete", complete);
        return r;
    }

    public static ObjectNode erase(String traceId, double receivedAt, String reason, long erasureId) {
        return erase(traceId, receivedAt, reason, erasureId, null);
    }

    /**
     * An erase record; {@code participantId} is set when a participant asked for the erasure, so
     * the job also withdraws their metrics windows (a retention erasure names no one).
     */
    public static ObjectNode erase(String traceId, double receivedAt, String reason, long erasureId, String participantId) {
        ObjectNode r = base(ERASE, traceId, receivedAt);
        ObjectNode e = r.putObject("erase").put("reason", reason).put("erasure_id", erasureId);
        if (participantId != null) {
            e.put("participant_id", participantId);
        }
        return r;
    }

    /** SHA-256 of the chunk's canonical form without server timestamps (copied only if a client sent some). */
    public static String digest(JsonNode chunk) {
        JsonNode subject = chunk;
        for (JsonNode e : chunk.path("events")) {
            if (e.has("ts_server_s")) {
                ObjectNode copy = chunk.deepCopy();
                copy.path("events").forEach(x -> {
                    if (x.isObject()) {
                        ((ObjectNode) x).remove("ts_server_s");
                    }
                });
                subject = copy;
                break;
            }
        }
        return Sha256.hex(Sha256.digest(CanonicalJson.canonicalBytes(subject)));
    }

    private static ObjectNode base(String kind, String traceId, double receivedAt) {
        ObjectNode r = StrictJson.mapper().createObjectNode();
        r.put("kind", kind);
        r.put("trace_id", traceId);
        r.put("received_at", receivedAt);
        return r;
    }
}
