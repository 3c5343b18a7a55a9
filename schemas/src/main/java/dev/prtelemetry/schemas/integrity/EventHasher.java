package dev.prtelemetry.schemas.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The hashing rules of trace format v1 (DESIGN.md, "Hashing, exactly"):
 * {@code hash(e)} = lowercase hex SHA-256 of the RFC 8785 form of the event without its
 * {@code hash} and {@code ts_server_s} members; the first event's {@code prev_hash} is the
 * SHA-256 of {@code "prt-genesis:" + trace_id}; each later one is its predecessor's hash.
 *
 * <p>Hashes are always taken over the JSON as sent, never over a re-serialised Java
 * object, so fields this version does not know are covered too.
 */
public final class EventHasher {
    /** Members the hash leaves out: the hash itself and the gateway's receive time. */
    public static final Set<String> UNHASHED_MEMBERS = Set.of("hash", "ts_server_s");
    private static final String GENESIS_PREFIX = "prt-genesis:";

    private EventHasher() {
    }

    public static String hash(JsonNode event) {
        return Sha256.hex(Sha256.digest(CanonicalJson.canonicalBytesWithout(event, UNHASHED_MEMBERS)));
    }

    /** The {@code prev_hash} of event seq 0 in trace {@code traceId}. */
    public static String genesis(String traceId) {
        return Sha256.hex(Sha256.digest((GENESIS_PREFIX + traceId).getBytes(StandardCharsets.UTF_8)));
    }
}
