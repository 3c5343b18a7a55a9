package dev.prtelemetry.flink.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.TraceDocumentVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each ordering and timer case of the assembly, through the real operator and its state. */
class TraceAssemblyFunctionTest extends AssemblyTestBase {
    private static final long GAP = 60_000;
    private static final long IDLE = 600_000;

    private KeyedOneInputStreamOperatorTestHarness<String, TraceRecord, TraceRow> harness;

    @BeforeEach
    void setUp() throws Exception {
        TraceAssemblyFunction fn = new TraceAssemblyFunction(new TraceAssembler.Config(GAP, IDLE, 100), Duration.ofDays(1));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), r -> r.traceId, Types.STRING);
        harness.open();
        harness.setProcessingTime(1_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** A replay (a restart, a re-run over the raw topic) writes the same document bytes, so claim checks stay valid. */
    @Test
    void theSameRecordsMakeTheSameDocumentWhateverTheClock() {
        java.util.List<byte[]> skeletons = new java.util.ArrayList<>();
        for (long clock : new long[] {1_000L, 9_876_543_210L}) {
            TraceAssembler assembler = new TraceAssembler(TraceAssembler.Config.defaults());
            AssemblyState s = AssemblyState.start(TRACE, clock);
            for (TraceRecord r : List.of(header(), chunk(0), chunk(1), chunk(2), complete())) {
                assembler.onRecord(s, r, clock);
            }
            assertThat(s.status).isEqualTo(TraceStatus.COMPLETE);
            skeletons.add(TraceDocuments.skeleton(s, clock + 5_000));
        }
        assertThat(skeletons.get(1)).isEqualTo(skeletons.get(0));
        assertThat(StrictJson.parse(skeletons.get(0)).at("/session/completed_at").asDouble()).isEqualTo(RECEIVED + 10);
    }

    @Test
    void assemblesAnInOrderTraceAndClearsItsState() throws Exception {
        send(header(), chunk(0), chunk(1), chunk(2), complete());
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("complete");
        JsonNode doc = StrictJson.parse(document(done, harness));
        assertThat(TraceDocumentVerifier.verifyDocument(doc).summary()).isEqualTo("OK 9 events"
                + " head=22cbfc169454525acd7ef28e74e55acdef01ecc1cf1847d8187e3ee78601be61"
                + " merkle=97dd13f0fa4eeeca412e7e22005123f645f0d1b2b71f58faa9c289e661d660ae");
        assertThat(TraceSchemas.get().validate(SchemaName.TRACE, doc)).isEmpty();
        assertThat(doc.get("metrics").get("tests_fail_to_pass").asLong()).isEqualTo(1);
        assertThat(doc.get("metrics").get("notes_by_kind").get("hypothesis").asLong()).isEqualTo(1);
        assertThat(chunkRows()).extracting(c -> c.chunkSeq).containsExactly(0L, 1L, 2L);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void shuffledChunksWithReSendsAreAppliedExactlyOnce() throws Exception {
        send(header(), chunk(2), chunk(0), chunk(2), complete(), chunk(0), chunk(1), chunk(1));
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("complete");
        assertThat(done.row.eventCount).isEqualTo(9);
        assertThat(done.row.duplicatesDropped).isEqualTo(2);
        assertThat(chunkRows()).extracting(c -> c.chunkSeq).containsExactly(0L, 1L, 2L);
        // the last re-send came after the trace ended and its state was cleared: dead-lettered, not applied
        assertThat(deadLetters()).singleElement().satisfies(d -> assertThat(d.reason).contains("has ended"));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    /** The metrics count what was written: one fact per chunk row, the trace opened and completed once, the re-sends dropped. */
    @Test
    void metricFactsMatchTheRowsWritten() throws Exception {
        send(header(), chunk(2), chunk(0), chunk(2), complete(), chunk(1), chunk(1));
        List<dev.prtelemetry.flink.metrics.MetricFact> facts = values(harness.getSideOutput(TraceAssemblyFunction.METRIC_FACTS));
        List<ChunkRow> rows = chunkRows();
        assertThat(facts.stream().mapToLong(f -> f.chunks).sum()).isEqualTo(rows.size());
        assertThat(facts.stream().mapToLong(f -> f.events).sum()).isEqualTo(9);
        assertThat(facts.stream().mapToLong(f -> f.bytes).sum()).isEqualTo(rows.stream().mapToLong(r -> r.eventsJson.length).sum());
        assertThat(facts.stream().mapToLong(f -> f.opened).sum()).isEqualTo(1);
        assertThat(facts.stream().mapToLong(f -> f.completed).sum()).isEqualTo(1);
        assertThat(facts.stream().mapToLong(f -> f.duplicates).sum()).isEqualTo(onlyAssembled().row.duplicatesDropped).isEqualTo(1);
        // event time is the gateway's receive time of each chunk, wherever the chunk waited in a gap
        assertThat(facts.stream().filter(f -> f.chunks == 1).map(f -> f.atMs))
                .containsExactlyInAnyOrder(Math.round((RECEIVED + 2) * 1000), Math.round(RECEIVED * 1000), Math.round((RECEIVED + 1) * 1000));
        assertThat(facts).allSatisfy(f -> {
            assertThat(f.taskId).isEqualTo("dates-leap-day");
            assertThat(f.participantId).isEqualTo("p-0042");
            assertThat(f.repo).isEqualTo("https://example.org/dates.git");
        });
    }

    @Test
    void aReSendWithDifferentContentRejectsTheTrace() throws Exception {
        List<JsonNode> other = events();
        ((ObjectNode) other.get(4).get("payload")).put("path", "elsewhere.py");
        send(header(), chunk(0), chunk(1), chunk(1, other));
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("rejected");
        assertThat(done.row.reasonsJson).contains("chunk_seq 1 was re-sent with different content");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aTamperedEventRejectsTheTraceNamingItsSeq() throws Exception {
        List<JsonNode> tampered = events();
        ((ObjectNode) tampered.get(5).get("payload")).put("exit_code", 3);
        send(header(), chunk(0), chunk(1, tampered));
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("rejected");
        assertThat(done.row.reasonsJson).contains("chunk_seq 1: seq=5 tampered");
        assertThat(StrictJson.parse(document(done, harness)).get("integrity").get("verdict").asText()).isEqualTo("rejected");
    }

    @Test
    void aNeverArrivingChunkAbandonsTheTraceAfterTheGapTimeout() throws Exception {
        send(header(), chunk(0), chunk(2), complete());
        assertThat(assembled()).isEmpty();
        harness.setProcessingTime(1_000 + GAP - 1);
        assertThat(assembled()).isEmpty();
        harness.setProcessingTime(1_000 + GAP);
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("abandoned");
        assertThat(done.row.reasonsJson).contains("chunk_seq 1 never arrived").contains("[2]");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aGapThatFillsInTimeCompletesTheTrace() throws Exception {
        send(header(), chunk(1), chunk(2), complete());
        harness.setProcessingTime(1_000 + GAP / 2);
        send(chunk(0));
        assertThat(onlyAssembled().row.status).isEqualTo("complete");
    }

    @Test
    void completionBeforeTheLastEventsWaitsForThem() throws Exception {
        send(header(), chunk(0), complete(), chunk(1));
        assertThat(assembled()).isEmpty();
        send(chunk(2));
        assertThat(onlyAssembled().row.status).isEqualTo("complete");
    }

    @Test
    void completionWhoseEventsNeverArriveAbandonsNamingTheMissingSeqs() throws Exception {
        send(header(), chunk(0), complete());
        harness.setProcessingTime(1_000 + GAP);
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("abandoned");
        assertThat(done.row.reasonsJson).contains("events seq 3..8 never arrived");
    }

    @Test
    void aCompletionWithAnotherChainHeadRejects() throws Exception {
        send(header(), chunk(0), chunk(1), chunk(2), complete(8, "00".repeat(32)));
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("rejected");
        assertThat(done.row.reasonsJson).contains("is not the assembled chain head");
    }

    @Test
    void aTraceLeftIdleIsAbandoned() throws Exception {
        send(header(), chunk(0));
        assertThat(rows()).extracting(r -> r.status).contains("receiving");
        harness.setProcessingTime(1_000 + IDLE + 10_000);
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("abandoned");
        assertThat(done.row.reasonsJson).contains("no activity");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aForwardNoteReferenceRejects() throws Exception {
        List<JsonNode> raw = events();
        ObjectNode note = (ObjectNode) raw.get(3);
        ((com.fasterxml.jackson.databind.node.ArrayNode) note.get("payload").get("refs")).add("ev-0005");
        // re-chain from seq 3 so only the reference is wrong
        var chain = new dev.prtelemetry.schemas.integrity.HashChain(TRACE, 3, raw.get(2).get("hash").textValue());
        for (int i = 3; i < raw.size(); i++) {
            chain.append((ObjectNode) raw.get(i));
        }
        send(header(), chunk(0, raw), chunk(1, raw));
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("rejected");
        assertThat(done.row.reasonsJson).contains("seq=3 bad-ref");
    }

    @Test
    void recordsOfUnknownOrEndedTracesAndUnreadableRecordsAreDeadLettered() throws Exception {
        send(chunk(0));
        assertThat(deadLetters()).singleElement().satisfies(d -> assertThat(d.reason).contains("no open trace"));
        assertThat(harness.numKeyedStateEntries()).isZero();
        send(TraceRecordParser.parse(TRACE.getBytes(), "{not json".getBytes()));
        assertThat(deadLetters()).hasSize(2).last().satisfies(d -> assertThat(d.reason).contains("not valid JSON"));
    }

    /** The replaced system's README chunk, as it writes it. */
    private static final String README_CHUNK = dev.prtelemetry.schemas.v0.ReplacedSystemReadme.CHUNK;
    private static final String V0_CHUNK_1 = "{\"chunk_id\":\"chunk-002\",\"chunk_seq\":1,\"events\":["
            + "{\"id\":\"evt-002\",\"seq\":1,\"ts_client_s\":1696435210,\"type\":\"cmd_run\",\"cmd\":\"pytest -q\",\"exit_code\":1},"
            + "{\"id\":\"evt-003\",\"seq\":2,\"ts_client_s\":1696435220,\"type\":\"rationale_note\",\"structured\":{\"hypothesis\":\"add() subtracts\"}}]}";

    private static TraceRecord rawChunk(String text, long chunkSeq) {
        JsonNode parsed = StrictJson.parse(text);
        return TraceRecordParser.parse(TRACE.getBytes(java.nio.charset.StandardCharsets.UTF_8), dev.prtelemetry.schemas.stream.TraceRecords
                .chunkText(TRACE, RECEIVED + chunkSeq, chunkSeq, dev.prtelemetry.schemas.stream.TraceRecords.digest(parsed), text)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static TraceRecord completeWithoutBody() {
        return record(dev.prtelemetry.schemas.stream.TraceRecords.complete(TRACE, RECEIVED + 10, StrictJson.mapper().createObjectNode()));
    }

    @Test
    void formatV0EventsAreTranslatedChainedByTheServerAndAppliedOnce() throws Exception {
        send(header(), rawChunk(V0_CHUNK_1, 1), rawChunk(README_CHUNK, 0), rawChunk(README_CHUNK, 0), completeWithoutBody());
        assertThat(deadLetters()).extracting(d -> d.reason).isEmpty();
        assertThat(rows().get(rows().size() - 1).reasonsJson).isEqualTo("[]");
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("complete");
        JsonNode doc = StrictJson.parse(document(done, harness));
        assertThat(TraceSchemas.get().validate(SchemaName.TRACE, doc)).isEmpty();
        assertThat(TraceDocumentVerifier.verifyDocument(doc).intact()).isTrue();
        assertThat(doc.at("/integrity/chain").asText()).isEqualTo("server");
        assertThat(doc.at("/integrity/completion").asText()).isEqualTo("last_received");
        assertThat(doc.at("/integrity/event_count").asLong()).isEqualTo(3);
        JsonNode first = doc.get("events").get(0);
        // the original bytes, exactly as in the request (indentation and 1696435200.0 included)
        assertThat(README_CHUNK).contains(first.get("v0_event").asText());
        assertThat(first.get("v0_event").asText()).contains("\"ts_client_s\": 1696435200.0");
        assertThat(first.get("payload").toString()).isEqualTo("{\"path\":\"src/main.py\",\"diff\":\"...\"}");
        assertThat(first.get("ts_server_s").asDouble()).isEqualTo(RECEIVED); // the gateway's time, not the client's
        assertThat(doc.at("/events/2/payload/kind").asText()).isEqualTo("hypothesis");
        assertThat(doc.at("/metrics/notes_by_kind/hypothesis").asLong()).isEqualTo(1);
        assertThat(done.row.duplicatesDropped).isEqualTo(1);
    }

    @Test
    void aCompletionWithoutABodyWaitsForAMissingChunk() throws Exception {
        send(header(), rawChunk(V0_CHUNK_1, 1), completeWithoutBody());
        assertThat(assembled()).isEmpty();
        send(rawChunk(README_CHUNK, 0));
        assertThat(onlyAssembled().row.status).isEqualTo("complete");
        assertThat(onlyAssembled().row.eventCount).isEqualTo(3);
    }

    @Test
    void aTraceMixingV1AndV0EventsIsRejected() throws Exception {
        List<JsonNode> v1 = events();
        send(header(), chunk(0), rawChunk(V0_CHUNK_1.replace("\"chunk_seq\":1", "\"chunk_seq\":1").replace("\"seq\":1,", "\"seq\":3,")
                .replace("\"seq\":2,", "\"seq\":4,"), 1));
        AssembledTrace done = onlyAssembled();
        assertThat(done.row.status).isEqualTo("rejected");
        assertThat(done.row.reasonsJson).contains("format v0 events (no hashes), but the trace began with hashed v1 events");
        assertThat(v1).isNotEmpty();
    }

    private void send(TraceRecord... records) throws Exception {
        for (TraceRecord r : records) {
            harness.processElement(new StreamRecord<>(r));
        }
    }

    private List<AssembledTrace> assembled() {
        return values(harness.getSideOutput(TraceAssemblyFunction.ASSEMBLED));
    }

    private AssembledTrace onlyAssembled() {
        List<AssembledTrace> done = assembled();
        assertThat(done).hasSize(1);
        return done.get(0);
    }

    private List<ChunkRow> chunkRows() {
        return values(harness.getSideOutput(TraceAssemblyFunction.CHUNKS));
    }

    private List<DeadLetterRecord> deadLetters() {
        return values(harness.getSideOutput(TraceAssemblyFunction.DEAD_LETTERS));
    }

    private List<TraceRow> rows() {
        return harness.extractOutputValues();
    }

    private static <T> List<T> values(ConcurrentLinkedQueue<StreamRecord<T>> queue) {
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
    }
}
