package dev.prtelemetry.schemas.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.redaction.ServerRedaction;
import dev.prtelemetry.schemas.v0.V0Events;
import java.util.List;
import java.util.Map;

/**
 * The chain rules for one event at a time, shared by the offline verifier and the
 * streaming assembly: is the next event seq {@code state.nextSeq}, well formed, hashing to
 * its {@code hash}, linked to the head, with an unused id and note refs that cite earlier
 * events? Checks run in that order, so a change to event k is reported at k.
 */
public final class ChainRules {
    private ChainRules() {
    }

    /**
     * Checks {@code event} against the chain and, when it holds, appends it to {@code state}.
     *
     * @param following the events delivered after this one, to tell a reordering from a gap
     *                  (may be empty when they are not known yet)
     * @param allIds    every id of the trace with its seq, to tell a forward citation from a
     *                  dangling one; null when not known (streaming), then both are "not earlier"
     * @return null when the event was accepted, else the failure
     */
    public static ChainVerdict accept(ChainState state, JsonNode event, List<JsonNode> following, Map<String, Long> allIds) {
        return accept(state, event, following, allIds, true);
    }

    /**
     * As {@link #accept(ChainState, JsonNode, List, Map)}; {@code checkTranslation} false skips re-translating a
     * {@code v0_event} — only for the assembly, on an event it has just made by that translation (a check that
     * cannot fail there, and the costliest step of a v0 event).
     */
    public static ChainVerdict accept(ChainState state, JsonNode event, List<JsonNode> following, Map<String, Long> allIds,
                                      boolean checkTranslation) {
        long i = state.nextSeq;
        ChainVerdict positional = checkPosition(i, event, following, state);
        if (positional != null) {
            return positional;
        }
        String shape = shapeProblem(event);
        if (shape != null) {
            return ChainVerdict.failed(i, ChainFailure.MALFORMED, shape);
        }
        String recorded = event.get("hash").textValue();
        if (ServerRedaction.isRedacted(event)) {
            // Redacted by the assembly after its hash was checked: the content is checked against the
            // redaction record's content_hash, the chain against the original hash (schemas/README.md).
            JsonNode claimed = event.get(ServerRedaction.MEMBER).get("content_hash");
            if (claimed == null || !claimed.isTextual() || !Sha256.isHash(claimed.textValue())) {
                return ChainVerdict.failed(i, ChainFailure.MALFORMED, "server_redaction.content_hash is missing or not a hash");
            }
            String content;
            try {
                content = ServerRedaction.contentHash(event);
            } catch (CanonicalizationException e) {
                return ChainVerdict.failed(i, ChainFailure.MALFORMED, "cannot be canonicalized: " + e.getMessage());
            }
            if (!content.equals(claimed.textValue())) {
                return ChainVerdict.failed(i, ChainFailure.TAMPERED, "redacted content hashes to " + content
                        + " but its server_redaction says " + claimed.textValue());
            }
        } else {
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
        }
        if (checkTranslation && V0Events.isTranslated(event)) {
            // translated from format v0 and chained by the server: the payload must be what its original says
            String mismatch = V0Events.checkTranslation(event);
            if (mismatch != null) {
                return ChainVerdict.failed(i, ChainFailure.TAMPERED, "translated from v0 but " + mismatch);
            }
        }
        String prev = event.get("prev_hash").textValue();
        if (!prev.equals(state.head)) {
            if (i == 0) {
                return ChainVerdict.failed(0, ChainFailure.BAD_GENESIS, "prev_hash " + prev
                        + " is not the genesis value " + state.head + " of trace " + state.traceId);
            }
            return ChainVerdict.failed(i, ChainFailure.TAMPERED,
                    "prev_hash " + prev + " is not the hash " + state.head + " of seq " + (i - 1));
        }
        String id = event.get("id").textValue();
        Long earlier = state.seqById.get(id);
        if (earlier != null) {
            return ChainVerdict.failed(i, ChainFailure.DUPLICATE, "event id '" + id + "' is already used by seq " + earlier);
        }
        String badRef = refProblem(event, i, state.seqById, allIds);
        if (badRef != null) {
            return ChainVerdict.failed(i, ChainFailure.BAD_REF, badRef);
        }
        state.seqById.put(id, i);
        state.hashes.add(recorded);
        state.head = recorded;
        state.nextSeq = i + 1;
        return null;
    }

    private static ChainVerdict checkPosition(long i, JsonNode event, List<JsonNode> following, ChainState state) {
        JsonNode seqNode = event.get("seq");
        if (!event.isObject() || seqNode == null || !seqNode.isNumber() || !seqNode.canConvertToExactIntegral()) {
            return ChainVerdict.failed(i, ChainFailure.MALFORMED, "event at position " + i + " has no integer seq");
        }
        long seq = seqNode.longValue();
        if (seq == i) {
            return null;
        }
        if (seq >= 0 && seq < i) {
            String first = state.hashes.get((int) seq);
            String how = first.equals(event.path("hash").asText("")) ? "a repeat of" : "different content under the same seq as";
            return ChainVerdict.failed(i, ChainFailure.DUPLICATE, "expected seq " + i + ", got " + how + " seq " + seq);
        }
        for (int j = 0; j < following.size(); j++) {
            JsonNode later = following.get(j).get("seq");
            if (later != null && later.canConvertToExactIntegral() && later.longValue() == i) {
                return ChainVerdict.failed(i, ChainFailure.REORDERED, "expected seq " + i + " here, got seq " + seq
                        + "; seq " + i + " comes " + (j + 1) + " event(s) later");
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

    private static String refProblem(JsonNode event, long seq, Map<String, Long> earlier, Map<String, Long> allIds) {
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
            if (earlier.containsKey(ref)) {
                continue;
            }
            Long target = allIds == null ? null : allIds.get(ref);
            if (allIds == null) {
                return "payload.refs[" + r + "] cites '" + ref + "', which is no earlier event of this trace";
            }
            if (target == null) {
                return "payload.refs[" + r + "] cites '" + ref + "', which is no event of this trace";
            }
            return "payload.refs[" + r + "] cites '" + ref + "' (seq " + target + "), which does not come before this note";
        }
        return null;
    }
}
