package dev.prtelemetry.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The compiled form of the schemas against the reference validator (networknt): whatever the
 * compiled form calls certainly valid the reference accepts, whatever it calls certainly invalid
 * the reference refuses — on every example and on thousands of seeded mutants of the valid ones
 * (members removed, added, retyped, strings lengthened or given line breaks, numbers moved past
 * their bounds or written as 1.0). And valid documents really take the fast path.
 */
class CompiledSchemaTest {
    private static final TraceSchemas SCHEMAS = TraceSchemas.get();

    @Test
    void everyValidExampleIsCertainlyValidAndEveryInvalidOneIsNot() throws Exception {
        int valid = 0;
        int invalid = 0;
        for (SchemaName schema : SchemaName.values()) {
            for (JsonNode example : examples(schema, "valid")) {
                assertThat(SCHEMAS.compiledAnswer(schema, example)).as("%s %s", schema, example).isEqualTo(CompiledSchema.VALID);
                valid++;
            }
            for (JsonNode example : examples(schema, "invalid")) {
                JsonNode instance = example.get("instance");
                if (!SCHEMAS.reference(schema, instance).isEmpty()) { // (some are invalid by the refs rule alone)
                    assertThat(SCHEMAS.compiledAnswer(schema, instance)).as("%s %s", schema, instance)
                            .isNotEqualTo(CompiledSchema.VALID);
                    invalid++;
                }
            }
        }
        assertThat(valid).isGreaterThanOrEqualTo(20);
        assertThat(invalid).isGreaterThanOrEqualTo(20);
    }

    @Test
    void neverMoreLenientThanTheReferenceOnMutants() throws Exception {
        SplittableRandom random = new SplittableRandom(Long.getLong("prt.schema.seed", 20261201L));
        Map<SchemaName, int[]> answers = new EnumMap<>(SchemaName.class);
        int mutants = 0;
        for (SchemaName schema : SchemaName.values()) {
            List<JsonNode> valid = examples(schema, "valid");
            for (int i = 0; i < 400; i++) {
                JsonNode mutant = valid.get(random.nextInt(valid.size())).deepCopy();
                int edits = 1 + random.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    mutant = mutate(mutant, random);
                }
                int fast = SCHEMAS.compiledAnswer(schema, mutant);
                boolean accepted = SCHEMAS.reference(schema, mutant).isEmpty();
                if (fast == CompiledSchema.VALID) {
                    assertThat(accepted).as("compiled form accepted what the reference refuses: %s %s", schema, mutant).isTrue();
                } else if (fast == CompiledSchema.INVALID) {
                    assertThat(accepted).as("compiled form refused what the reference accepts: %s %s", schema, mutant).isFalse();
                }
                answers.computeIfAbsent(schema, k -> new int[3])[fast + 1]++;
                mutants++;
            }
        }
        int[] total = new int[3];
        answers.values().forEach(a -> {
            for (int i = 0; i < 3; i++) {
                total[i] += a[i];
            }
        });
        assertThat(mutants).isEqualTo(400 * SchemaName.values().length);
        // the mutants reach both answers, so the implication above was exercised both ways
        assertThat(total[CompiledSchema.VALID + 1]).isGreaterThan(200);
        assertThat(total[CompiledSchema.INVALID + 1]).isGreaterThan(1000);
    }

    @Test
    void aKeywordItDoesNotKnowFailsCompilation() {
        ObjectNode schema = StrictJson.mapper().createObjectNode();
        schema.put("type", "string").put("format", "email");
        assertThatThrownBy(() -> new CompiledSchema(Map.of("x.schema.json", (JsonNode) schema)::get, "x.schema.json"))
                .hasMessageContaining("'format'");
    }

    @Test
    void whereJavaAndJsonSchemaCouldDifferItIsUnsure() {
        ObjectNode chunk = (ObjectNode) StrictJson.parse("{\"chunk_id\":\"c\\n\",\"chunk_seq\":0,\"events\":[]}");
        assertThat(SCHEMAS.compiledAnswer(SchemaName.CHUNK, chunk)).isNotEqualTo(CompiledSchema.VALID);
        ObjectNode seq = (ObjectNode) StrictJson.parse("{\"chunk_id\":\"c\",\"chunk_seq\":1.0,\"events\":[]}");
        assertThat(SCHEMAS.compiledAnswer(SchemaName.CHUNK, seq)).isNotEqualTo(CompiledSchema.VALID);
    }

    private static JsonNode mutate(JsonNode root, SplittableRandom r) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) { // a schema for a single value (artifact-ref): replace it
            String text = root.isTextual() ? root.textValue() : "x";
            return switch (r.nextInt(5)) {
                case 0 -> StrictJson.mapper().getNodeFactory().textNode(text + "\n");
                case 1 -> StrictJson.mapper().getNodeFactory().textNode(text.substring(0, text.length() / 2));
                case 2 -> StrictJson.mapper().getNodeFactory().numberNode(7);
                case 3 -> StrictJson.mapper().getNodeFactory().textNode(text.toUpperCase());
                default -> StrictJson.mapper().getNodeFactory().textNode(text + "0");
            };
        }
        JsonNode target = containers.get(r.nextInt(containers.size()));
        if (target instanceof ObjectNode o && o.size() > 0) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String name = names.get(r.nextInt(names.size()));
            switch (r.nextInt(9)) {
                case 0 -> o.remove(name);
                case 1 -> o.put("unexpected_" + r.nextInt(5), "x");
                case 2 -> o.put(name, 7);
                case 3 -> o.put(name, "seven");
                case 4 -> o.put(name, o.get(name).isTextual() ? o.get(name).textValue() + "\n" : "a\nb");
                case 5 -> o.put(name, o.get(name).isTextual() ? o.get(name).textValue().repeat(60) : "x".repeat(5000));
                case 6 -> o.put(name, o.get(name).isNumber() ? -1 : 1.0);
                case 7 -> o.putNull(name);
                default -> o.put(name, o.get(name).isNumber() ? 9007199254740992.0 : 0);
            }
        } else if (target instanceof ArrayNode a) {
            switch (r.nextInt(3)) {
                case 0 -> a.removeAll();
                case 1 -> a.add(a.size() > 0 ? a.get(0).deepCopy() : StrictJson.mapper().createObjectNode());
                default -> a.add("stray");
            }
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(c -> collect(c, out));
        }
    }

    private static List<JsonNode> examples(SchemaName schema, String kind) throws Exception {
        Path dir = Path.of(CompiledSchemaTest.class.getResource("/schema-examples").toURI()).resolve(schema.baseName()).resolve(kind);
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                out.add(StrictJson.parse(Files.readAllBytes(f)));
            }
        }
        return out;
    }
}
