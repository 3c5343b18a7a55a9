package dev.prtelemetry.schemas.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a trace's events, in the order they were delivered, are exactly seq 0..n-1,
 * each hashing to its {@code hash}, each chained to its predecessor (seq 0 to the trace
 * id's genesis value), and that every rationale note cites only earlier events. Stops at
 * the first fault and names its seq, so a change to event k is reported at k, never before.
 *
 * <p>The rules per event are {@link ChainRules}'s, shared with the streaming assembly.
 */
public final class TraceVerifier {
    private TraceVerifier() {
    }

    public static ChainVerdict verify(String traceId, List<JsonNode> events) {
        Map<String, Long> allIds = indexIds(events);
        ChainState state = ChainState.start(traceId);
        for (int i = 0; i < events.size(); i++) {
            ChainVerdict failure = ChainRules.accept(state, events.get(i), events.subList(i + 1, events.size()), allIds);
            if (failure != null) {
                return failure;
            }
        }
        return state.verdict();
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
