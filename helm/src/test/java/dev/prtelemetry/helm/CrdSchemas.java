package dev.prtelemetry.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Operator objects (FlinkDeployment, Kafka, KafkaNodePool, KafkaTopic, Cluster) checked against
 * the CustomResourceDefinitions the operators install ({@code ../shared/k8s-crds/}), as an API
 * server would: the version's {@code openAPIV3Schema} as a JSON Schema (types, enums, required,
 * patterns, bounds — networknt's validator), and, as the API server's pruning would drop them
 * silently, every field the schema does not declare is a problem unless the schema keeps unknown
 * fields ({@code x-kubernetes-preserve-unknown-fields}) or declares {@code additionalProperties}.
 */
final class CrdSchemas {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Map<String, JsonNode> schemas = new HashMap<>(); // "group/version Kind" → openAPIV3Schema
    private final Map<String, Schema> compiled = new HashMap<>();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

    private CrdSchemas() {
    }

    static CrdSchemas load(Path dir) throws IOException {
        CrdSchemas out = new CrdSchemas();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                JsonNode crd = YAML.readTree(f.toFile());
                if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                    continue;
                }
                String group = crd.at("/spec/group").asText();
                String kind = crd.at("/spec/names/kind").asText();
                for (JsonNode v : crd.at("/spec/versions")) {
                    if (v.path("served").asBoolean()) {
                        out.schemas.put(group + "/" + v.path("name").asText() + " " + kind, v.at("/schema/openAPIV3Schema"));
                    }
                }
            }
        }
        if (out.schemas.isEmpty()) {
            throw new IllegalStateException("no CustomResourceDefinitions in " + dir);
        }
        return out;
    }

    private static String key(JsonNode o) {
        return o.path("apiVersion").asText() + " " + o.path("kind").asText();
    }

    /** Whether the object is of a kind these CRDs define (by API group). */
    boolean covers(JsonNode o) {
        String apiVersion = o.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return schemas.keySet().stream().anyMatch(k -> k.startsWith(group + "/")) && group.contains(".")
                && !group.endsWith("k8s.io");
    }

    List<String> validate(JsonNode o) {
        JsonNode schema = schemas.get(key(o));
        if (schema == null) {
            return List.of("no CRD serves " + key(o) + " (served: " + new java.util.TreeSet<>(schemas.keySet()) + ")");
        }
        List<String> problems = new ArrayList<>();
        Schema s = compiled.computeIfAbsent(key(o), k -> registry.getSchema(schema));
        for (Error e : s.validate(o)) {
            problems.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        undeclared(schema, o, "", problems);
        return problems;
    }

    /** Fields the schema does not declare, where it does not keep unknown fields. */
    private static void undeclared(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (schema == null || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String at = path + "/" + field.getKey();
                if (properties != null && properties.has(field.getKey())) {
                    undeclared(properties.get(field.getKey()), field.getValue(), at, problems);
                } else if (additional != null && additional.isObject()) {
                    undeclared(additional, field.getValue(), at, problems);
                } else if (properties != null && !(additional != null && additional.asBoolean(false))
                        && !(path.isEmpty() && (field.getKey().equals("apiVersion") || field.getKey().equals("kind")
                        || field.getKey().equals("metadata")))) {
                    problems.add(at + ": the schema has no such field (an API server would drop it)");
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                undeclared(schema.get("items"), item, path + "/" + i++, problems);
            }
        }
    }
}
