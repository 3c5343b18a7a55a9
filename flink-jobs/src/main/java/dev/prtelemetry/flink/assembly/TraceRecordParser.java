package dev.prtelemetry.flink.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.TraceRecords;
import java.nio.charset.StandardCharsets;

/** Reads a {@code prt.trace-records} record into a {@link TraceRecord}; never throws. */
public final class TraceRecordParser {
    private TraceRecordParser() {
    }

    /**
     * The routing fields from the record key and headers, the body kept as text and parsed once,
     * by the assembly. Records without the headers are parsed here instead ({@link #parse(byte[], byte[])}).
     */
    public static TraceRecord fromHeaders(byte[] key, byte[] value, String kind, String chunkSeq, String digest) {
        if (key == null || kind == null) {
            return parse(key, value);
        }
        TraceRecord r = new TraceRecord();
        r.traceId = new String(key, StandardCharsets.UTF_8);
        r.kind = kind;
        r.body = value == null ? new byte[0] : value;
        if (TraceRecords.CHUNK.equals(kind)) {
            try {
                r.chunkSeq = Long.parseLong(chunkSeq);
            } catch (NumberFormatException | NullPointerException e) {
                return TraceRecord.invalid(r.traceId, r.text(), "a chunk record needs a numeric " + TraceRecords.CHUNK_SEQ_HEADER + " header");
            }
            if (digest == null) {
                return TraceRecord.invalid(r.traceId, r.text(), "a chunk record needs a " + TraceRecords.DIGEST_HEADER + " header");
            }
            r.digest = digest;
        } else if (TraceRecords.ERASE.equals(kind)) {
            r.participantId = erasedParticipant(r.body); // rare: the body is read for it
        }
        return r;
    }

    /** Whose data an erase record erases (set when a participant asked), or null. */
    static String erasedParticipant(byte[] body) {
        try {
            return StrictJson.parse(new String(body, StandardCharsets.UTF_8)).path("erase").path("participant_id").textValue();
        } catch (CanonicalizationException e) {
            return null;
        }
    }

    public static TraceRecord parse(byte[] key, byte[] value) {
        String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
        String raw = value == null ? "" : new String(value, StandardCharsets.UTF_8);
        JsonNode json;
        try {
            json = StrictJson.parse(raw);
        } catch (CanonicalizationException e) {
            return TraceRecord.invalid(k, raw, e.getMessage());
        }
        String traceId = json.path("trace_id").textValue();
        String kind = json.path("kind").textValue();
        if (traceId == null || kind == null) {
            return TraceRecord.invalid(k, raw, "a trace record needs 'trace_id' and 'kind'");
        }
        if (k != null && !k.equals(traceId)) {
            return TraceRecord.invalid(k, raw, "record key " + k + " is not its trace_id " + traceId);
        }
        TraceRecord r = new TraceRecord();
        r.traceId = traceId;
        r.kind = kind;
        r.body = value == null ? new byte[0] : value;
        if (TraceRecords.CHUNK.equals(kind)) {
            if (!json.path("chunk_seq").canConvertToExactIntegral() || !json.path("digest").isTextual()
                    || !json.path("chunk").path("events").isArray()) {
                return TraceRecord.invalid(k, raw, "a chunk record needs chunk_seq, digest and chunk.events");
            }
            r.chunkSeq = json.get("chunk_seq").longValue();
            r.digest = json.get("digest").textValue();
        } else if (TraceRecords.COMPLETE.equals(kind)) {
            JsonNode c = json.path("complete");
            boolean withoutBody = c.isObject() && c.isEmpty(); // closes at the last event received (format v0 clients)
            if (!withoutBody && (!c.path("final_seq").canConvertToExactIntegral() || !c.path("chain_head").isTextual())) {
                return TraceRecord.invalid(k, raw, "a complete record needs complete.final_seq and complete.chain_head"
                        + " (or an empty complete object: a completion without a body)");
            }
        } else if (TraceRecords.ERASE.equals(kind)) {
            r.participantId = json.path("erase").path("participant_id").textValue();
        } else if (!TraceRecords.HEADER.equals(kind)) {
            return TraceRecord.invalid(k, raw, "unknown record kind '" + kind + "'");
        }
        return r;
    }
}
