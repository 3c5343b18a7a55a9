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
    /**
     * The document as the document writer builds it: the trace's skeleton plus the events of the
     * chunk rows the function emitted (what PostgreSQL holds), in chunk order.
     */
    static byte[] document(AssembledTrace done,
                           org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<String, TraceRecord, TraceRow> harness) {
        java.util.List<ChunkRow> rows = new java.util.ArrayList<>();
        var side = harness.getSideOutput(TraceAssemblyFunction.CHUNKS);
        if (side != null) {
            side.forEach(r -> rows.add(r.getValue()));
        }
        java.util.List<byte[]> events = rows.stream().filter(r -> r.traceId.equals(done.traceId))
                .sorted(java.util.Comparator.comparingLong(r -> r.chunkSeq)).map(r -> r.eventsJson).toList();
        org.assertj.core.api.Assertions.assertThat((long) events.size()).isEqualTo(done.chunkCount);
        return TraceDocuments.assemble(done.skeleton, events);
    }

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
