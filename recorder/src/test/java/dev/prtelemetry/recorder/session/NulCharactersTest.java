package dev.prtelemetry.recorder.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A tool's output may hold NUL bytes (binary output, `find -print0`); the gateway refuses strings with
 * NUL (PostgreSQL cannot store them), so the recorder replaces them before an event is hashed —
 * never recording an event the server would refuse.
 */
class NulCharactersTest {
    @Test
    void nulCharactersBecomeReplacementCharactersEverywhereInThePayload() {
        ObjectNode payload = StrictJson.mapper().createObjectNode().put("command", "find . -print0").put("output_excerpt", "a\u0000b\u0000");
        payload.putArray("outputs").add("x\u0000y").addObject().put("path", "p\u0000");
        Recorder.withoutNul(payload);
        String json = payload.toString();
        assertThat(json).doesNotContain("\\u0000");
        assertThat(payload.get("output_excerpt").asText()).isEqualTo("a\uFFFDb\uFFFD");
        assertThat(payload.at("/outputs/0").asText()).isEqualTo("x\uFFFDy");
        assertThat(payload.at("/outputs/1/path").asText()).isEqualTo("p\uFFFD");
        StrictJson.parse(json.getBytes(StandardCharsets.UTF_8)); // what the gateway's reader accepts
    }
}
