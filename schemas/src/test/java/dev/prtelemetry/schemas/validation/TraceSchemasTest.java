package dev.prtelemetry.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema has examples that must pass and examples that must fail, under
 * {@code schema-examples/<schema>/{valid,invalid}/}. A failing example names the JSON
 * Pointers its violations must be reported at, all of them.
 */
class TraceSchemasTest {
    private static final TraceSchemas SCHEMAS = TraceSchemas.get();

    @ParameterizedTest(name = "{0} accepts {1}")
    @MethodSource("validExamples")
    void acceptsValidExamples(SchemaName schema, String name, JsonNode instance) {
        assertThat(SCHEMAS.validate(schema, instance)).isEmpty();
    }

    @ParameterizedTest(name = "{0} refuses {1}")
    @MethodSource("invalidExamples")
    void refusesInvalidExamplesAtEveryOffendingPointer(SchemaName schema, String name, JsonNode example) {
        List<Violation> violations = SCHEMAS.validate(schema, example.get("instance"));
        List<String> expected = new ArrayList<>();
        example.get("expected_pointers").forEach(p -> expected.add(p.textValue()));
        assertThat(violations).as("violations").isNotEmpty();
        assertThat(violations.stream().map(Violation::pointer).distinct().sorted().toList())
                .as("%s", violations)
                .containsExactlyElementsOf(expected.stream().sorted().toList());
        assertThat(violations).allSatisfy(v -> assertThat(v.message()).isNotBlank());
    }

    @ParameterizedTest
    @EnumSource(SchemaName.class)
    void everySchemaHasPassingAndFailingExamples(SchemaName schema) throws Exception {
        Path dir = examplesRoot().resolve(schema.baseName());
        try (Stream<Path> valid = list(dir.resolve("valid")); Stream<Path> invalid = list(dir.resolve("invalid"))) {
            assertThat(valid.count()).as("valid examples of %s", schema).isPositive();
            assertThat(invalid.count()).as("invalid examples of %s", schema).isPositive();
        }
    }

    @Test
    void reportsEveryViolationNotOnlyTheFirst() {
        JsonNode chunk = example("chunk", "valid", "three-events");
        ObjectNode bad = chunk.deepCopy();
        ((ObjectNode) bad.get("events").get(0)).put("seq", -4);
        ((ObjectNode) bad.get("events").get(1).get("payload")).remove("command");
        ((ObjectNode) bad.get("events").get(2)).put("hash", "nope");
        List<Violation> violations = SCHEMAS.validate(SchemaName.CHUNK, bad);
        assertThat(violations).extracting(Violation::pointer)
                .contains("/events/0/seq", "/events/1/payload/command", "/events/2/hash");
    }

    @Test
    void aDiffOverTheSchemaLimitIsRefusedAndTheLimitComesFromTheSchema() {
        int limit = TraceLimits.v1().maxDiffChars();
        assertThat(limit).isEqualTo(262144);
        ObjectNode edit = example("file-edit", "valid", "modify").deepCopy();
        edit.put("diff", "x".repeat(limit));
        assertThat(SCHEMAS.validate(SchemaName.FILE_EDIT, edit)).isEmpty();
        edit.put("diff", "x".repeat(limit + 1));
        assertThat(SCHEMAS.validate(SchemaName.FILE_EDIT, edit)).extracting(Violation::pointer).containsExactly("/diff");
    }

    @Test
    void aChunkOverTheEventLimitIsRefused() {
        int limit = TraceLimits.v1().maxEventsPerChunk();
        ObjectNode chunk = example("chunk", "valid", "three-events").deepCopy();
        JsonNode template = chunk.get("events").get(0);
        ArrayNode events = chunk.putArray("events");
        for (int i = 0; i <= limit; i++) {
            events.add(((ObjectNode) template.deepCopy()).put("seq", i).put("id", "ev-" + i));
        }
        assertThat(SCHEMAS.validate(SchemaName.CHUNK, chunk)).extracting(Violation::pointer).containsExactly("/events");
        events.remove(limit);
        assertThat(SCHEMAS.validate(SchemaName.CHUNK, chunk)).isEmpty();
    }

    @Test
    void chunkRefsToEventsOutsideTheChunkAreLeftToAssembly() {
        ObjectNode chunk = example("chunk", "valid", "three-events").deepCopy();
        ((ArrayNode) chunk.get("events").get(2).get("payload").get("refs")).removeAll().add("ev-earlier-chunk");
        assertThat(SCHEMAS.validate(SchemaName.CHUNK, chunk)).isEmpty();
    }

    @Test
    void limitsAreReadFromTheSchemaFiles() {
        TraceLimits limits = TraceLimits.v1();
        assertThat(limits.maxEventsPerChunk()).isEqualTo(
                TraceSchemas.schemaDocument(SchemaName.CHUNK).at("/properties/events/maxItems").intValue());
        assertThat(limits.maxNoteRefs()).isEqualTo(64);
    }

    static Stream<Arguments> validExamples() throws Exception {
        return examples("valid");
    }

    static Stream<Arguments> invalidExamples() throws Exception {
        return examples("invalid");
    }

    private static Stream<Arguments> examples(String kind) throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (SchemaName schema : SchemaName.values()) {
            Path dir = examplesRoot().resolve(schema.baseName()).resolve(kind);
            try (Stream<Path> files = list(dir)) {
                files.sorted().forEach(f -> out.add(Arguments.of(schema, f.getFileName().toString(), read(f))));
            }
        }
        return out.stream();
    }

    private static JsonNode example(String schema, String kind, String name) {
        try {
            return read(examplesRoot().resolve(schema).resolve(kind).resolve(name + ".json"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Stream<Path> list(Path dir) throws IOException {
        return Files.isDirectory(dir) ? Files.list(dir).filter(p -> p.toString().endsWith(".json")) : Stream.empty();
    }

    private static JsonNode read(Path file) {
        try {
            return StrictJson.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path examplesRoot() throws URISyntaxException {
        return Path.of(TraceSchemasTest.class.getResource("/schema-examples").toURI());
    }

    /**
     * Every integer a request may carry has a maximum no larger than 2^53−1 (and integers that
     * may be negative a minimum), checked before anything is written: 2^64 as a chunk_seq was
     * applied as chunk 0, 2^63 became negative, 2^53+1 left a trace waiting forever.
     */
    @org.junit.jupiter.api.Test
    void everyIntegerInEverySchemaIsBounded() throws Exception {
        java.util.List<String> unbounded = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/prt/schemas/v1"))) {
            for (var f : files.sorted().toList()) {
                walk(dev.prtelemetry.schemas.json.StrictJson.parse(java.nio.file.Files.readAllBytes(f)), f.getFileName() + "#", unbounded);
            }
        }
        org.assertj.core.api.Assertions.assertThat(unbounded).isEmpty();
    }

    private static void walk(com.fasterxml.jackson.databind.JsonNode n, String at, java.util.List<String> unbounded) {
        if (n.isObject()) {
            com.fasterxml.jackson.databind.JsonNode type = n.get("type");
            boolean integer = type != null && (type.asText().equals("integer") || (type.isArray() && type.toString().contains("\"integer\"")));
            if (integer) {
                long max = n.path("maximum").asLong(Long.MAX_VALUE);
                boolean hasMin = n.has("minimum");
                if (!n.has("maximum") || max > dev.prtelemetry.schemas.json.StrictJson.MAX_SAFE_INTEGER || !hasMin
                        || n.get("minimum").asLong() < -dev.prtelemetry.schemas.json.StrictJson.MAX_SAFE_INTEGER) {
                    unbounded.add(at);
                }
            }
            n.fields().forEachRemaining(e -> walk(e.getValue(), at + "/" + e.getKey(), unbounded));
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                walk(n.get(i), at + "/" + i, unbounded);
            }
        }
    }
}
