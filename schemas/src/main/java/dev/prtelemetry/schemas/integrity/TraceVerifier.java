package dev.prtelemetry.schemas.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a trace's events, in the order they were delivered, are exactly seq 0..n-1,
 * each hashing to its {@code hash}, each chained to its predecessor (seq 0 to the trace
 * id's genesis value), and that every rationale note cites only earlier events. Stops at
 * the first fault and names its seq, so a change to event k is reported at k, never before.
 *
 * <p>Order of checks for the event at position i: its seq (missing, reordered, duplicate),
 * its shape, its own hash (tampered), its link to i-1 (bad genesis / tampered), its id's
 * uniqueness, its note references (bad ref).
 */
public final class TraceVerifier {
    private TraceVerifier() {
    }

    public static ChainVerdict verify(String traceId, List<JsonNode> events) {
        Map<String, Long> seqById = indexIds(events);
        List<String> hashes = new ArrayList<>(events.size());
        Map<String, Long> seenIds = new HashMap<>();
        String expectedPrev = EventHasher.genesis(traceId);

        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            ChainVerdict positional = checkPosition(i, event, events, hashes);
            if (positional != null) {
                return positional;
            }
            String shape = shapeProblem(event);
            if (shape != null) {
                return ChainVerdict.failed(i, ChainFailure.MALFORMED, shape);
            }
            String recorded = event.get("hash").textValue();
            String actual;
            try {
                actual = EventHasher.hash(event);
            } catch (CanonicalizationException e) {
                return ChainVerdict.failed(i, ChainFailure.MALFORMED, "cannot be canonicalized: " + e.getMessage());
            }
            if (!actual.equals(recorded)) {
                return ChainVerdict.failed(i, ChainFailure.TAMPERED,
                        "content hashes to " + actual + " but the event says " + recorded);
            }
            String prev = event.get("prev_hash").textValue();
            if (!prev.equals(expectedPrev)) {
                if (i == 0) {
                    return ChainVerdict.failed(0, ChainFailure.BAD_GENESIS,
                            "prev_hash " + prev + " is not the genesis value " + expectedPrev
                                    + " of trace " + traceId);
                }
                return ChainVerdict.failed(i, ChainFailure.TAMPERED,
                        "prev_hash " + prev + " is not the hash " + expectedPrev + " of seq " + (i - 1));
            }
            String id = event.get("id").textValue();
            Long earlier = seenIds.putIfAbsent(id, (long) i);
            if (earlier != null) {
                return ChainVerdict.failed(i, ChainFailure.DUPLICATE, "event id '" + id + "' is already used by seq " + earlier);
            }
            String badRef = refProblem(event, i, seqById);
            if (badRef != null) {
                return ChainVerdict.failed(i, ChainFailure.BAD_REF, badRef);
            }
            hashes.add(recorded);
            expectedPrev = recorded;
        }
        String root = Sha256.hex(MerkleTree.root(MerkleTree.leavesFromEventHashes(hashes)));
        return ChainVerdict.intact(events.size(), expectedPrev, root);
    }

    /** Is the event at position i seq i? If not, says which way the order broke. */
    private static ChainVerdict checkPosition(int i, JsonNode event, List<JsonNode> events, List<String> hashesSoFar) {
        JsonNode seqNode = event.get("seq");
        if (!event.isObject() || seqNode == null || !seqNode.canConvertToExactIntegral() || !seqNode.isNumber()) {
            return ChainVerdict.failed(i, ChainFailure.MALFORMED, "event at position " + i + " has no integer seq");
        }
        long seq = seqNode.longValue();
        if (seq == i) {
            return null;
        }
        if (seq < i && seq >= 0) {
            // Positions 0..i-1 held seqs 0..i-1, so this seq was delivered already.
            String first = hashesSoFar.get((int) seq);
            String again = event.path("hash").asText("");
            String how = first.equals(again) ? "a repeat of" : "different content under the same seq as";
            return ChainVerdict.failed(i, ChainFailure.DUPLICATE, "expected seq " + i + ", got " + how + " seq " + seq);
        }
        for (int j = i + 1; j < events.size(); j++) {
            JsonNode later = events.get(j).get("seq");
            if (later != null && later.canConvertToExactIntegral() && later.longValue() == i) {
                return ChainVerdict.failed(i, ChainFailure.REORDERED,
                        "expected seq " + i + " here, got seq " + seq + "; seq " + i + " comes later, at position " + j);
            }
        }
        return ChainVerdict.failed(i, ChainFailure.MISSING, "seq " + i + " is absent; the next event is seq " + seq);
    }

    private static String shapeProblem(JsonNode event) {
        for (String member : new String[] {"id", "type", "prev_hash", "hash"}) {
            JsonNode v = event.get(member);
            if (v == null || !v.isTextual()) {
                return "member '" + member + "' is missing or not a string";
            }
        }
        for (String member : new String[] {"prev_hash", "hash"}) {
            if (!Sha256.isHash(event.get(member).textValue())) {
                return "member '" + member + "' is not 64 lowercase hex digits";
            }
        }
        return null;
    }

    private static String refProblem(JsonNode event, long seq, Map<String, Long> seqById) {
        if (!"rationale_note".equals(event.get("type").textValue())) {
            return null;
        }
        JsonNode refs = event.path("payload").path("refs");
        if (refs.isMissingNode()) {
            return null;
        }
        if (!refs.isArray()) {
            return "payload.refs is not a list of event ids";
        }
        for (int r = 0; r < refs.size(); r++) {
            String ref = refs.get(r).asText();
            Long target = seqById.get(ref);
            if (target == null) {
                return "payload.refs[" + r + "] cites '" + ref + "', which is no event of this trace";
            }
            if (target >= seq) {
                return "payload.refs[" + r + "] cites '" + ref + "' (seq " + target + "), which does not come before this note";
            }
        }
        return null;
    }

    private static Map<String, Long> indexIds(List<JsonNode> events) {
        Map<String, Long> seqById = new HashMap<>();
        for (JsonNode e : events) {
            JsonNode id = e.get("id");
            JsonNode seq = e.get("seq");
            if (id != null && id.isTextual() && seq != null && seq.canConvertToExactIntegral()) {
                seqById.putIfAbsent(id.textValue(), seq.longValue());
            }
        }
        return seqById;
    }
}
