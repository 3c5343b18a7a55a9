package dev.prtelemetry.schemas.v0;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.ChainFailure;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.EventHasher;
import dev.prtelemetry.schemas.integrity.TraceVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class V0EventsTest {


    @Test
    void elementTextsAreTheBytesAsSent() {
        String record = "{\"kind\":\"chunk\",\"x\":{\"events\":[1]},\"chunk\":" + ReplacedSystemReadme.CHUNK + "}";
        List<String> texts = V0Events.elementTexts(record.getBytes(StandardCharsets.UTF_8), "chunk", "events");
        assertThat(texts).hasSize(1);
        assertThat(texts.get(0)).startsWith("{\n      \"id\": \"evt-001\"").endsWith("\"sha256...\"\n    }");
        assertThat(ReplacedSystemReadme.CHUNK).contains(texts.get(0));
        String two = "{\"chunk\":{\"events\":[{\"a\":\"é\\u00e9\"} , {\"b\":[1,{\"c\":2}]}]}}";
        assertThat(V0Events.elementTexts(two.getBytes(StandardCharsets.UTF_8), "chunk", "events"))
                .containsExactly("{\"a\":\"é\\u00e9\"}", "{\"b\":[1,{\"c\":2}]}");
    }

    @Test
    void translatesEachTypeKeepingWhatFitsAndNothingInvented() throws Exception {
        JsonNode chunk = StrictJson.parse(getClass().getResourceAsStream("/schema-examples/v0-chunk/valid/every-type.json"));
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode e : chunk.get("events")) {
            ObjectNode t = V0Events.translate(e.toString());
            t.put("prev_hash", "a".repeat(64)).put("hash", "b".repeat(64));
            assertThat(TraceSchemas.get().validate(SchemaName.EVENT, t)).as(t.toString()).isEmpty();
            out.add(t);
        }
        assertThat(out.get(0).get("payload").toString()).isEqualTo(
                "{\"kind\":\"plan\",\"text\":\"read calc.py\",\"more\":[{\"kind\":\"hypothesis\",\"text\":\"add() subtracts\"}]}");
        assertThat(out.get(1).get("payload").toString()).isEqualTo("{\"command\":\"pytest -q\",\"cwd\":\"/work/repo\",\"exit_code\":1}");
        assertThat(out.get(2).get("payload").toString()).isEqualTo("{\"framework\":\"pytest\",\"summary\":{\"total\":4,\"passed\":3,"
                + "\"failed\":1},\"cases\":[{\"name\":\"tests/test_calc.py::test_add\",\"outcome\":\"failed\"}]}");
        assertThat(out.get(3).get("payload").toString()).isEqualTo("{\"sha\":\"def4567\",\"sha_abbreviated\":true,\"parents\":[\"abc123\"],"
                + "\"message\":\"Fix add\",\"diff\":\"--- a/calc.py\\n+++ b/calc.py\\n\"}");
        ObjectNode readme = V0Events.translate(StrictJson.parse(ReplacedSystemReadme.CHUNK).get("events").get(0).toString());
        // "sha256..." is not a SHA-256: left out of the payload, kept in the original
        assertThat(readme.get("payload").toString()).isEqualTo("{\"path\":\"src/main.py\",\"diff\":\"...\"}");
        assertThat(readme.get(V0Events.MEMBER).asText()).contains("\"buffer_hash_after\":\"sha256...\"");
    }

    @Test
    void aServerChainVerifiesAndAChangedTranslationOrOriginalIsCaught() {
        List<String> texts = V0Events.elementTexts(StrictJson.parse(ReplacedSystemReadme.CHUNK).toString().getBytes(StandardCharsets.UTF_8), "events");
        String second = "{\"id\":\"evt-002\",\"seq\":1,\"ts_client_s\":1696435201,\"type\":\"rationale_note\",\"freeform\":\"hmm\"}";
        List<JsonNode> chain = new ArrayList<>();
        String head = EventHasher.genesis("trace-1");
        for (String text : List.of(texts.get(0), second)) {
            ObjectNode e = V0Events.translateAndChain(text, head);
            head = e.get("hash").asText();
            chain.add(e);
        }
        assertThat(TraceVerifier.verify("trace-1", chain).intact()).isTrue();
        ObjectNode changedPayload = (ObjectNode) chain.get(1).deepCopy();
        ((ObjectNode) changedPayload.get("payload")).put("text", "something else");
        changedPayload.put("hash", EventHasher.hash(changedPayload)); // even re-hashed, the translation does not match
        ChainVerdict v = TraceVerifier.verify("trace-1", List.of(chain.get(0), changedPayload));
        assertThat(v.intact()).isFalse();
        assertThat(v.failure()).isEqualTo(ChainFailure.TAMPERED);
        assertThat(v.reason()).contains("translation of its v0_event");
        ObjectNode changedOriginal = (ObjectNode) chain.get(0).deepCopy();
        changedOriginal.put(V0Events.MEMBER, texts.get(0).replace("src/main.py", "src/other.py"));
        assertThat(TraceVerifier.verify("trace-1", List.of(changedOriginal, chain.get(1))).intact()).isFalse();
    }
}
