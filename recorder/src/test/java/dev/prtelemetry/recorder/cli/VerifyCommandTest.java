package dev.prtelemetry.recorder.cli;

import static dev.prtelemetry.schemas.integrity.TraceFixtures.TRACE_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsOneOkLineForAnIntactDocument() throws IOException {
        var result = PrtRunner.run("verify", write("trace.json", TraceFixtures.sampleDocument()).toString());
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("OK 9 events"
                + " head=22cbfc169454525acd7ef28e74e55acdef01ecc1cf1847d8187e3ee78601be61"
                + " merkle=97dd13f0fa4eeeca412e7e22005123f645f0d1b2b71f58faa9c289e661d660ae\n");
    }

    @Test
    void verifiesAFolderOfChunksNamedByItsHeaderFile() throws IOException {
        Path folder = chunkFolder(TraceFixtures.chainedEvents(TRACE_ID), true);
        var result = PrtRunner.run("verify", "--schema", folder.toString());
        assertThat(result.out()).startsWith("OK 9 events head=22cbfc16");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void aFolderWithoutATraceIdIsRefusedWithAHint() throws IOException {
        Path folder = chunkFolder(TraceFixtures.chainedEvents(TRACE_ID), false);
        var result = PrtRunner.run("verify", folder.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("--trace-id");
        assertThat(PrtRunner.run("verify", "--trace-id", TRACE_ID, folder.toString()).exitCode()).isZero();
    }

    @Test
    void namesATamperedEvent() throws IOException {
        assertFails(doc -> ((ObjectNode) events(doc).get(4).get("payload")).put("lines_added", 5), "FAIL seq=4 tampered: ");
    }

    @Test
    void namesAMissingEvent() throws IOException {
        assertFails(doc -> events(doc).remove(5), "FAIL seq=5 missing: ");
    }

    @Test
    void namesASwappedPair() throws IOException {
        assertFails(doc -> {
            JsonNode seven = events(doc).remove(7);
            events(doc).insert(6, seven);
        }, "FAIL seq=6 reordered: ");
    }

    @Test
    void namesADuplicatedEvent() throws IOException {
        assertFails(doc -> events(doc).insert(2, events(doc).get(1).deepCopy()), "FAIL seq=2 duplicate: ");
    }

    @Test
    void namesAWrongGenesis() throws IOException {
        assertFails(doc -> ((ObjectNode) doc).put("trace_id", "another-trace"), "FAIL seq=0 bad-genesis: ");
    }

    @Test
    void namesDanglingAndForwardNoteReferences() throws IOException {
        assertThat(verifyRechained(3, "ev-4242").line()).startsWith("FAIL seq=3 bad-ref: ").contains("no event of this trace");
        assertThat(verifyRechained(3, "ev-0007").line()).startsWith("FAIL seq=3 bad-ref: ").contains("does not come before");
    }

    @Test
    void schemaOptionListsViolationsAndFails() throws IOException {
        JsonNode doc = TraceFixtures.sampleDocument();
        ((ObjectNode) doc.get("session")).put("state", "half-done");
        var result = PrtRunner.run("verify", "--schema", write("bad.json", doc).toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("bad.json: /session/state: ").contains("OK 9 events"); // chain still intact
    }

    @Test
    void unreadableInputIsAClearFailure() throws IOException {
        Path junk = dir.resolve("junk.json");
        Files.writeString(junk, "{\"trace_id\": \"x\", \"events\": [");
        var result = PrtRunner.run("verify", junk.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.line()).startsWith("FAIL malformed: ").contains("not valid JSON");
        assertThat(PrtRunner.run("verify", dir.resolve("absent.json").toString()).line()).contains("no such file");
    }

    /** Changing any byte of any event makes {@code prt verify} fail at that event's seq, not before. */
    @Property(tries = 150)
    void changingAnyByteOfAnEventFailsVerifyAtThatSeq(
            @ForAll @IntRange(min = 0, max = 8) int target,
            @ForAll @IntRange(min = 0, max = 100_000) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
        JsonNode doc = TraceFixtures.sampleDocument();
        ArrayNode events = (ArrayNode) doc.get("events");
        ((ObjectNode) events.get(target)).remove("ts_server_s"); // the one member the hash leaves out
        Optional<JsonNode> mutated = TraceFixtures.withOneByteChanged(events.get(target), position, xor);
        Assume.that(mutated.isPresent());
        events.set(target, mutated.get());
        Path file = Files.createTempFile("mutated", ".json");
        try {
            Files.write(file, StrictJson.mapper().writeValueAsBytes(doc));
            var result = PrtRunner.run("verify", file.toString());
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.line()).startsWith("FAIL seq=" + target + " ");
        } finally {
            Files.delete(file);
        }
    }

    private PrtRunner.Result verifyRechained(int noteIndex, String ref) throws IOException {
        List<ObjectNode> raw = TraceFixtures.unchainedEvents();
        ((ArrayNode) raw.get(noteIndex).get("payload").get("refs")).add(ref);
        HashChain chain = new HashChain(TRACE_ID);
        ObjectNode doc = (ObjectNode) TraceFixtures.sampleDocument();
        ArrayNode events = doc.putArray("events");
        raw.forEach(e -> events.add(chain.append(e)));
        doc.remove("integrity");
        return PrtRunner.run("verify", write("refs.json", doc).toString());
    }

    private void assertFails(Consumer<JsonNode> damage, String expectedPrefix) throws IOException {
        JsonNode doc = TraceFixtures.sampleDocument();
        damage.accept(doc);
        var result = PrtRunner.run("verify", write("damaged.json", doc).toString());
        assertThat(result.exitCode()).as(result.out()).isEqualTo(1);
        assertThat(result.line()).startsWith(expectedPrefix);
        assertThat(result.out().lines().count()).isEqualTo(1);
    }

    private static ArrayNode events(JsonNode doc) {
        return (ArrayNode) doc.get("events");
    }

    private Path chunkFolder(List<JsonNode> events, boolean withHeader) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("chunks-" + withHeader));
        int[][] bounds = {{0, 3}, {3, 7}, {7, 9}};
        for (int c = 0; c < bounds.length; c++) {
            ObjectNode chunk = StrictJson.mapper().createObjectNode();
            chunk.put("chunk_id", "chunk-" + c);
            chunk.put("chunk_seq", c);
            chunk.putArray("events").addAll(events.subList(bounds[c][0], bounds[c][1]));
            Files.write(folder.resolve("chunk-" + c + ".json"), StrictJson.mapper().writeValueAsBytes(chunk));
        }
        if (withHeader) {
            Files.writeString(folder.resolve("trace.json"), "{\"trace_id\":\"" + TRACE_ID + "\"}");
        }
        return folder;
    }

    private Path write(String name, JsonNode json) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, StrictJson.mapper().writeValueAsBytes(json));
        return file;
    }
}
