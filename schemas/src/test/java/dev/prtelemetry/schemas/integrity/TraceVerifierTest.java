package dev.prtelemetry.schemas.integrity;

import static dev.prtelemetry.schemas.integrity.TraceFixtures.TRACE_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TraceVerifierTest {

    @Test
    void acceptsAnIntactTraceAndReportsHeadAndMerkleRoot() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        ChainVerdict verdict = TraceVerifier.verify(TRACE_ID, events);
        assertThat(verdict.intact()).as(verdict.summary()).isTrue();
        assertThat(verdict.eventCount()).isEqualTo(9);
        assertThat(verdict.head()).isEqualTo(events.get(8).get("hash").textValue());
        assertThat(verdict.summary()).startsWith("OK 9 events head=" + verdict.head() + " merkle=");
    }

    @Test
    void acceptsTheDocumentTheIndependentPythonClientChained() {
        ChainVerdict verdict = TraceDocumentVerifier.verifyDocument(TraceFixtures.sampleDocument());
        assertThat(verdict.summary()).isEqualTo("OK 9 events"
                + " head=22cbfc169454525acd7ef28e74e55acdef01ecc1cf1847d8187e3ee78601be61"
                + " merkle=97dd13f0fa4eeeca412e7e22005123f645f0d1b2b71f58faa9c289e661d660ae");
    }

    @Test
    void anEmptyTraceIsIntactWithTheGenesisValueAsHead() {
        ChainVerdict verdict = TraceVerifier.verify(TRACE_ID, List.of());
        assertThat(verdict.intact()).isTrue();
        assertThat(verdict.head()).isEqualTo(EventHasher.genesis(TRACE_ID));
        assertThat(verdict.merkleRoot()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void serverTimestampIsNotHashed() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        ((ObjectNode) events.get(3)).put("ts_server_s", 1764000999.5);
        assertThat(TraceVerifier.verify(TRACE_ID, events).intact()).isTrue();
    }

    @Test
    void namesTheSeqOfATamperedEvent() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        ((ObjectNode) events.get(4).get("payload")).put("path", "dates/other.py");
        assertFailure(TraceVerifier.verify(TRACE_ID, events), 4, ChainFailure.TAMPERED);
    }

    @Test
    void anEventRehashedAfterTamperingBreaksTheLinkOfTheNextOne() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        ObjectNode edited = (ObjectNode) events.get(4);
        ((ObjectNode) edited.get("payload")).put("path", "dates/other.py");
        edited.put("hash", EventHasher.hash(edited));
        ChainVerdict verdict = TraceVerifier.verify(TRACE_ID, events);
        assertFailure(verdict, 5, ChainFailure.TAMPERED);
        assertThat(verdict.detail()).contains("prev_hash").contains("seq 4");
    }

    @Test
    void namesAMissingEvent() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        events.remove(6);
        assertFailure(TraceVerifier.verify(TRACE_ID, events), 6, ChainFailure.MISSING);
    }

    @Test
    void namesASwappedPairAsReordered() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        JsonNode third = events.get(3);
        events.set(3, events.get(4));
        events.set(4, third);
        assertFailure(TraceVerifier.verify(TRACE_ID, events), 3, ChainFailure.REORDERED);
    }

    @Test
    void namesADuplicatedEvent() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        events.add(3, events.get(2).deepCopy());
        ChainVerdict verdict = TraceVerifier.verify(TRACE_ID, events);
        assertFailure(verdict, 3, ChainFailure.DUPLICATE);
        assertThat(verdict.detail()).contains("a repeat of seq 2");
    }

    @Test
    void namesAWrongGenesis() {
        List<JsonNode> events = TraceFixtures.chainedEvents("some-other-trace");
        assertFailure(TraceVerifier.verify(TRACE_ID, events), 0, ChainFailure.BAD_GENESIS);
    }

    @Test
    void namesADanglingNoteReference() {
        List<ObjectNode> raw = TraceFixtures.unchainedEvents();
        ((ArrayNode) raw.get(6).get("payload").get("refs")).add("ev-9999");
        assertFailure(TraceVerifier.verify(TRACE_ID, chain(raw)), 6, ChainFailure.BAD_REF);
    }

    @Test
    void namesAForwardNoteReference() {
        List<ObjectNode> raw = TraceFixtures.unchainedEvents();
        ((ArrayNode) raw.get(3).get("payload").get("refs")).add("ev-0005");
        ChainVerdict verdict = TraceVerifier.verify(TRACE_ID, chain(raw));
        assertFailure(verdict, 3, ChainFailure.BAD_REF);
        assertThat(verdict.detail()).contains("does not come before");
    }

    @Test
    void aNoteCitingItselfIsABadReference() {
        List<ObjectNode> raw = TraceFixtures.unchainedEvents();
        ((ArrayNode) raw.get(8).get("payload").get("refs")).add("ev-0008");
        assertFailure(TraceVerifier.verify(TRACE_ID, chain(raw)), 8, ChainFailure.BAD_REF);
    }

    @Test
    void aReusedEventIdIsADuplicate() {
        List<ObjectNode> raw = TraceFixtures.unchainedEvents();
        raw.get(5).put("id", "ev-0001");
        assertFailure(TraceVerifier.verify(TRACE_ID, chain(raw)), 5, ChainFailure.DUPLICATE);
    }

    @Test
    void documentWhoseIntegrityBlockDisagreesIsRefused() {
        JsonNode doc = TraceFixtures.sampleDocument();
        ((ObjectNode) doc.get("integrity")).put("merkle_root", "00".repeat(32));
        ChainVerdict verdict = TraceDocumentVerifier.verifyDocument(doc);
        assertThat(verdict.failure()).isEqualTo(ChainFailure.BAD_INTEGRITY);
        assertThat(verdict.summary()).startsWith("FAIL bad-integrity: integrity.merkle_root");
    }

    @Test
    void chunksAreOrderedByChunkSeqAndIdenticalRetransmissionsIgnored() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        JsonNode c0 = chunk(0, events.subList(0, 4));
        JsonNode c1 = chunk(1, events.subList(4, 9));
        assertThat(TraceDocumentVerifier.verifyChunks(TRACE_ID, List.of(c1, c0, c1.deepCopy())).intact()).isTrue();
        JsonNode conflicting = chunk(1, events.subList(4, 8));
        assertThat(TraceDocumentVerifier.verifyChunks(TRACE_ID, List.of(c0, c1, conflicting)).failure())
                .isEqualTo(ChainFailure.DUPLICATE);
    }

    /**
     * Change any one byte of any event's JSON (so that it is still JSON and means something
     * else): verification fails exactly at that event's seq, never at an earlier one.
     */
    @Property(tries = 1000)
    void changingAnyByteOfAnEventFailsAtThatEventsSeq(
            @ForAll @IntRange(min = 0, max = 8) int target,
            @ForAll @IntRange(min = 0, max = 100_000) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        List<JsonNode> events = TraceFixtures.chainedEvents(TRACE_ID);
        Optional<JsonNode> changed = TraceFixtures.withOneByteChanged(events.get(target), position, xor);
        Assume.that(changed.isPresent());
        JsonNode mutated = changed.get();
        List<JsonNode> tampered = new ArrayList<>(events);
        tampered.set(target, mutated);
        ChainVerdict verdict = TraceVerifier.verify(TRACE_ID, tampered);
        assertThat(verdict.intact()).as("seq %d changed to %s", target, mutated).isFalse();
        assertThat(verdict.failedSeq()).as(verdict.summary()).isEqualTo(target);
    }

    private static List<JsonNode> chain(List<ObjectNode> raw) {
        HashChain chain = new HashChain(TRACE_ID);
        List<JsonNode> out = new ArrayList<>();
        raw.forEach(e -> out.add(chain.append(e)));
        return out;
    }

    private static JsonNode chunk(int seq, List<JsonNode> events) {
        ObjectNode chunk = StrictJson.mapper().createObjectNode();
        chunk.put("chunk_id", "c" + seq);
        chunk.put("chunk_seq", seq);
        chunk.putArray("events").addAll(events);
        return chunk;
    }

    private static void assertFailure(ChainVerdict verdict, long seq, ChainFailure failure) {
        assertThat(verdict.intact()).as("expected a failure").isFalse();
        assertThat(verdict.failedSeq()).as(verdict.summary()).isEqualTo(seq);
        assertThat(verdict.failure()).as(verdict.summary()).isEqualTo(failure);
    }
}
