package dev.prtelemetry.schemas.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Test data: a small real-looking bug-fixing session (all five event types), chained. */
public final class TraceFixtures {
    public static final String TRACE_ID = "7d9c1f0e-5b7a-4c8e-9a51-2f4b8e6d3c10";

    private TraceFixtures() {
    }

    /** The session's events before chaining: no seq, prev_hash or hash. */
    public static List<ObjectNode> unchainedEvents() {
        List<ObjectNode> events = new ArrayList<>();
        for (String line : resource("/traces/sample-events.jsonl").split("\n")) {
            if (!line.isBlank()) {
                events.add((ObjectNode) StrictJson.parse(line));
            }
        }
        return events;
    }

    public static List<JsonNode> chainedEvents(String traceId) {
        HashChain chain = new HashChain(traceId);
        List<JsonNode> out = new ArrayList<>();
        for (ObjectNode e : unchainedEvents()) {
            out.add(chain.append(e));
        }
        return out;
    }

    /** The assembled sample document, chained by the Python reference client (reference/python). */
    public static JsonNode sampleDocument() {
        return StrictJson.parse(resource("/traces/sample-trace.json"));
    }

    /**
     * The event with one byte of its canonical JSON changed ({@code xor} applied at
     * {@code position} modulo its length), when the result is still a JSON object JCS can
     * write and means something else; empty otherwise (callers skip that case).
     */
    public static Optional<JsonNode> withOneByteChanged(JsonNode event, int position, int xor) {
        byte[] bytes = CanonicalJson.canonicalBytes(event);
        int at = position % bytes.length;
        bytes[at] = (byte) (bytes[at] ^ xor);
        try {
            JsonNode mutated = StrictJson.parse(bytes);
            CanonicalJson.canonicalString(mutated);
            return mutated.isObject() && !mutated.equals(event) ? Optional.of(mutated) : Optional.empty();
        } catch (CanonicalizationException e) {
            return Optional.empty();
        }
    }

    public static String resource(String path) {
        try (InputStream in = TraceFixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
