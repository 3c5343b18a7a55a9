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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The example traces the demo uploads: they verify, fit the schema, and their diffs apply to their repositories. */
class ExampleTracesTest {
    static Stream<Path> examples() throws Exception {
        return Files.list(Path.of("../examples")).filter(d -> Files.isRegularFile(d.resolve("trace/trace.json"))).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void chunksVerifyAndMatchTheSchema(Path example) throws Exception {
        JsonNode meta = StrictJson.parse(Files.readAllBytes(example.resolve("trace/trace.json")));
        List<JsonNode> chunks = new ArrayList<>();
        try (Stream<Path> files = Files.list(example.resolve("trace"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("chunk-")).sorted().toList()) {
                JsonNode chunk = StrictJson.parse(Files.readAllBytes(f));
                assertThat(TraceSchemas.get().validate(SchemaName.CHUNK, chunk)).as(f.toString()).isEmpty();
                chunks.add(chunk);
            }
        }
        ChainVerdict verdict = TraceDocumentVerifier.verifyChunks(meta.get("trace_id").asText(), chunks);
        assertThat(verdict.intact()).as(verdict.summary()).isTrue();
        assertThat(verdict.head()).isEqualTo(meta.get("complete").get("chain_head").asText());
        assertThat(TraceSchemas.get().validate(SchemaName.CREATE_TRACE_REQUEST, meta.get("create"))).isEmpty();
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
