package dev.prtelemetry.schemas.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.StrictJson;
import org.junit.jupiter.api.Test;

class TraceRecordsTest {
    private static ObjectNode chunk() {
        ObjectNode chunk = StrictJson.mapper().createObjectNode().put("chunk_id", "c0").put("chunk_seq", 3);
        chunk.putArray("events").addAll(TraceFixtures.chainedEvents(TraceFixtures.TRACE_ID));
        return chunk;
    }

    @Test
    void theTextRecordEmbedsTheChunkVerbatimAndEqualsTheTreeRecord() {
        ObjectNode chunk = chunk();
        String raw = "  " + StrictJson.toString(chunk) + "\n";
        String digest = TraceRecords.digest(chunk);
        JsonNode text = StrictJson.parse(TraceRecords.chunkText("t", 12.5, 3, digest, raw));
        JsonNode tree = TraceRecords.chunk("t", 12.5, chunk);
        assertThat(CanonicalJson.canonicalString(text)).isEqualTo(CanonicalJson.canonicalString(tree));
        assertThat(text.get("digest").asText()).isEqualTo(digest);
    }

    @Test
    void theDigestIgnoresServerTimestampsSoAReSendHasTheSameDigest() {
        ObjectNode chunk = chunk();
        String before = TraceRecords.digest(chunk);
        ((ObjectNode) chunk.get("events").get(2)).put("ts_server_s", 99.0);
        assertThat(TraceRecords.digest(chunk)).isEqualTo(before);
        assertThat(chunk.get("events").get(2).has("ts_server_s")).isTrue(); // the caller's chunk is left alone
        ((ObjectNode) chunk.get("events").get(2).get("payload")).put("exit_code", 7);
        assertThat(TraceRecords.digest(chunk)).isNotEqualTo(before);
    }
}
