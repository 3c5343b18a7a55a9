package dev.prtelemetry.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The citation rule of rationale notes, which JSON Schema cannot express: every id in a
 * note's {@code refs} names an event of the same trace with a smaller seq.
 *
 * <p>A whole trace is checked completely. A single chunk is checked as far as one chunk
 * can be: a citation of an event in the same chunk at or after the note is an error; a
 * citation of an id not in the chunk may be an earlier chunk's event and is left to the
 * trace assembly, which sees the whole trace.
 */
final class ReferenceRules {
    private ReferenceRules() {
    }

    static List<Violation> checkChunk(JsonNode chunk) {
        return checkEvents(chunk.path("events"), "/events", false);
    }

    static List<Violation> checkEvents(JsonNode events, String pointer, boolean wholeTrace) {
        List<Violation> out = new ArrayList<>();
        if (!events.isArray()) {
            return out;
        }
        Map<String, Long> seqById = new HashMap<>();
        for (JsonNode e : events) {
            if (e.path("id").isTextual() && e.path("seq").canConvertToExactIntegral()) {
                seqById.putIfAbsent(e.get("id").textValue(), e.get("seq").longValue());
            }
        }
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            if (!"rationale_note".equals(e.path("type").asText()) || !e.path("seq").canConvertToExactIntegral()) {
                continue;
            }
            long seq = e.get("seq").longValue();
            JsonNode refs = e.path("payload").path("refs");
            for (int r = 0; r < refs.size(); r++) {
                String ref = refs.get(r).asText();
                String at = pointer + "/" + i + "/payload/refs/" + r;
                Long target = seqById.get(ref);
                if (target == null) {
                    if (wholeTrace) {
                        out.add(new Violation(at, "refs", "cites event '" + ref + "', which is not in this trace"));
                    }
                } else if (target >= seq) {
                    out.add(new Violation(at, "refs", "cites event '" + ref + "' (seq " + target
                            + "), which does not come before this note (seq " + seq + ")"));
                }
            }
        }
        return out;
    }
}
