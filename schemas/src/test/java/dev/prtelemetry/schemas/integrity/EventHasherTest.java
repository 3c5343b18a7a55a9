package dev.prtelemetry.schemas.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventHasherTest {

    @Test
    void genesisIsTheSha256OfThePrefixedTraceId() {
        // printf 'prt-genesis:abc' | sha256sum
        assertThat(EventHasher.genesis("abc"))
                .isEqualTo(Sha256.hex(Sha256.digest("prt-genesis:abc".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("48d98eea14083df60f73553883dddb78bdc05bc08cd80281670eb382360cafd4");
    }

    @Test
    void hashIsSha256OfTheCanonicalEventWithoutHashAndServerTime() {
        ObjectNode event = (ObjectNode) StrictJson.parse(
                "{\"type\":\"rationale_note\",\"seq\":0,\"id\":\"e0\",\"ts_client_s\":1.5,"
                        + "\"prev_hash\":\"" + "a".repeat(64) + "\",\"payload\":{\"text\":\"é\",\"kind\":\"plan\"},"
                        + "\"hash\":\"ignored\",\"ts_server_s\":99}");
        String canonical = "{\"id\":\"e0\",\"payload\":{\"kind\":\"plan\",\"text\":\"é\"},\"prev_hash\":\""
                + "a".repeat(64) + "\",\"seq\":0,\"ts_client_s\":1.5,\"type\":\"rationale_note\"}";
        assertThat(EventHasher.hash(event))
                .isEqualTo(Sha256.hex(Sha256.digest(canonical.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void everyOtherMemberIsHashed() {
        ObjectNode event = (ObjectNode) StrictJson.parse("{\"id\":\"e0\",\"seq\":0,\"extra\":1}");
        String before = EventHasher.hash(event);
        event.put("extra", 2);
        assertThat(EventHasher.hash(event)).isNotEqualTo(before);
        event.put("ts_server_s", 5);
        event.put("hash", "x");
        assertThat(EventHasher.hash(event)).isEqualTo(EventHasher.hash(event.deepCopy().without(java.util.List.of("hash", "ts_server_s"))));
    }

    @Test
    void chainContinuesFromAStoredHead() {
        HashChain first = new HashChain("t");
        first.append(StrictJson.mapper().createObjectNode().put("id", "a"));
        HashChain resumed = new HashChain("t", first.nextSeq(), first.head());
        ObjectNode second = resumed.append(StrictJson.mapper().createObjectNode().put("id", "b"));
        assertThat(second.get("seq").longValue()).isEqualTo(1);
        assertThat(second.get("prev_hash").textValue()).isEqualTo(first.head());
    }
}
