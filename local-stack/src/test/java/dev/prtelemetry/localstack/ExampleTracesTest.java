package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.integrity.TraceDocumentVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples as examples/record.sh recorded them with prt: the assembled document verifies
 * and fits the schema, the chunk files as sent are the same events as the journal and the
 * document, the start snapshot is the example's repository at its start commit, and every
 * recorded diff applies to that repository in order.
 */
class ExampleTracesTest {
    static Stream<Path> examples() throws Exception {
        return Files.list(Path.of("../examples")).filter(d -> Files.isRegularFile(d.resolve("trace.json"))).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void theDocumentVerifiesAndFitsTheSchema(Path example) throws Exception {
        JsonNode doc = StrictJson.parse(Files.readAllBytes(example.resolve("trace.json")));
        assertThat(TraceSchemas.get().validate(SchemaName.TRACE, doc)).isEmpty();
        ChainVerdict verdict = TraceDocumentVerifier.verifyDocument(doc);
        assertThat(verdict.intact()).as(verdict.summary()).isTrue();
        assertThat(doc.at("/integrity/verdict").asText()).isEqualTo("verified");
        assertThat(doc.at("/session/state").asText()).isEqualTo("completed");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void theChunksAsSentAreTheJournalAndTheDocument(Path example) throws Exception {
        JsonNode doc = StrictJson.parse(Files.readAllBytes(example.resolve("trace.json")));
        List<JsonNode> chunks = new ArrayList<>();
        try (Stream<Path> files = Files.list(example.resolve("trace"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("chunk-")).sorted().toList()) {
                JsonNode chunk = StrictJson.parse(Files.readAllBytes(f));
                assertThat(TraceSchemas.get().validate(SchemaName.CHUNK, chunk)).as(f.toString()).isEmpty();
                chunks.add(chunk);
            }
        }
        ChainVerdict verdict = TraceDocumentVerifier.verifyChunks(doc.get("trace_id").asText(), chunks);
        assertThat(verdict.intact()).as(verdict.summary()).isTrue();
        assertThat(verdict.head()).isEqualTo(doc.at("/integrity/chain_head").asText());
        List<String> fromChunks = canonical(TraceDocumentVerifier.assembleChunks(chunks).events());
        List<JsonNode> journal = new ArrayList<>();
        for (String line : Files.readAllLines(example.resolve("trace/events.jsonl"))) {
            journal.add(StrictJson.parse(line));
        }
        List<JsonNode> documentEvents = new ArrayList<>();
        doc.get("events").forEach(documentEvents::add);
        assertThat(fromChunks).isEqualTo(canonical(journal)).isEqualTo(canonical(documentEvents));
    }

    @ParameterizedTest
    @MethodSource("examples")
    void theStartSnapshotIsTheRepositoryAtTheStartCommit(Path example, @TempDir Path tmp) throws Exception {
        JsonNode doc = StrictJson.parse(Files.readAllBytes(example.resolve("trace.json")));
        Path clone = tmp.resolve("clone");
        run(tmp, "git", "clone", "-q", example.resolve("trace/start.bundle").toAbsolutePath().toString(), clone.toString());
        assertThat(run(clone, "git", "rev-parse", "HEAD").strip()).isEqualTo(doc.at("/repo/start_commit").asText());
        for (String f : run(clone, "git", "ls-files").split("\n")) {
            assertThat(Files.readString(clone.resolve(f))).as(f).isEqualTo(Files.readString(example.resolve("repo").resolve(f)));
        }
    }

    static List<String> canonical(List<JsonNode> events) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) {
            com.fasterxml.jackson.databind.node.ObjectNode c = e.deepCopy();
            c.remove("ts_server_s");
            out.add(dev.prtelemetry.schemas.json.CanonicalJson.canonicalString(c));
        }
        return out;
    }

    static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyRecordedEditAppliesToTheRepositoryInOrder(Path example) throws Exception {
        Map<String, List<String>> files = new HashMap<>();
        for (String line : Files.readAllLines(example.resolve("trace/events.jsonl"))) {
            JsonNode e = StrictJson.parse(line);
            if (!"file_edit".equals(e.get("type").asText())) {
                continue;
            }
            JsonNode p = e.get("payload");
            String path = p.get("path").asText();
            List<String> before = files.computeIfAbsent(path, k -> read(example.resolve("repo").resolve(k)));
            assertThat(Sha256.hex(Sha256.digest(String.join("\n", before).getBytes(StandardCharsets.UTF_8))))
                    .as("%s before %s", path, e.get("id")).isEqualTo(p.get("before_sha256").asText());
            Patch<String> patch = UnifiedDiffUtils.parseUnifiedDiff(lines(p.get("diff").asText()));
            List<String> after = DiffUtils.patch(before, patch);
            assertThat(Sha256.hex(Sha256.digest(String.join("\n", after).getBytes(StandardCharsets.UTF_8))))
                    .as("%s after %s", path, e.get("id")).isEqualTo(p.get("after_sha256").asText());
            files.put(path, after);
        }
        assertThat(files).isNotEmpty();
    }

    /** Lines without their newlines; joined with "\n" they give the file back byte for byte. */
    private static List<String> read(Path file) {
        try {
            return new ArrayList<>(Arrays.asList(Files.readString(file).split("\n", -1)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The diff's own lines, without their newlines (what the parser expects). */
    private static List<String> lines(String diff) {
        return Arrays.asList(diff.split("\n"));
    }
}
