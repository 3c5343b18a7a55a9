package dev.prtelemetry.flink.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.TraceRecords;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Records of the sample session (9 events) as the gateway writes them, in three chunks. */
abstract class AssemblyTestBase {
    static final String TRACE = TraceFixtures.TRACE_ID;
    static final double RECEIVED = 1764000200.0;
    static final int[][] CHUNK_BOUNDS = {{0, 3}, {3, 7}, {7, 9}};

    static List<JsonNode> events() {
        return TraceFixtures.chainedEvents(TRACE);
    }

    static TraceRecord header() {
        ObjectNode h = StrictJson.mapper().createObjectNode();
        h.put("participant_id", "p-0042").put("task_id", "dates-leap-day").put("task_title", "Leap day")
                .put("repo_origin", "https://example.org/dates.git")
                .put("start_commit", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        h.putObject("consent").put("granted", true);
        return record(TraceRecords.header(TRACE, RECEIVED, h));
    }

    static TraceRecord chunk(int c) {
        return chunk(c, events());
    }

    static TraceRecord chunk(int c, List<JsonNode> events) {
        ObjectNode chunk = StrictJson.mapper().createObjectNode();
        chunk.put("chunk_id", "chunk-" + c);
        chunk.put("chunk_seq", c);
        chunk.putArray("events").addAll(events.subList(CHUNK_BOUNDS[c][0], CHUNK_BOUNDS[c][1]));
        return record(TraceRecords.chunk(TRACE, RECEIVED + c, chunk));
    }

    static TraceRecord complete(long finalSeq, String head) {
        ObjectNode c = StrictJson.mapper().createObjectNode();
        c.put("final_seq", finalSeq).put("chain_head", head).put("outcome", "fixed");
        return record(TraceRecords.complete(TRACE, RECEIVED + 10, c));
    }

    static TraceRecord complete() {
        List<JsonNode> e = events();
        return complete(e.size() - 1, e.get(e.size() - 1).get("hash").textValue());
    }

    static TraceRecord record(JsonNode json) {
        return TraceRecordParser.parse(TRACE.getBytes(StandardCharsets.UTF_8),
                json.toString().getBytes(StandardCharsets.UTF_8));
    }
}
