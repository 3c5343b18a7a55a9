package dev.prtelemetry.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates documents against the trace format v1 JSON Schemas (draft 2020-12) with the
 * networknt validator, reporting every violation (never only the first) with a JSON
 * Pointer, plus the rule JSON Schema cannot express: a rationale note's {@code refs} must
 * cite earlier events of the same trace.
 *
 * <p>Schemas load from the classpath only; {@code $ref}s between them resolve by
 * {@code $id} prefix, never over the network. Instances are thread-safe.
 */
public final class TraceSchemas {
    private static final Set<String> MEMBER_KEYWORDS =
            Set.of("required", "additionalProperties", "unevaluatedProperties", "dependentRequired");
    private static final TraceSchemas DEFAULT = new TraceSchemas();

    private final SchemaRegistry registry;
    private final Map<SchemaName, Schema> schemas = new EnumMap<>(SchemaName.class);
    private final Map<SchemaName, CompiledSchema> compiled = new EnumMap<>(SchemaName.class);

    private TraceSchemas() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .formatAssertionsEnabled(true)
                .errorMessageKeyword("errorMessage") // plain sentences where a keyword's own message is cryptic
                .build();
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                .schemaRegistryConfig(config)
                .schemaIdResolvers(resolvers -> resolvers.mapPrefix(SchemaName.ID_PREFIX,
                        "classpath:" + SchemaName.RESOURCE_PREFIX)));
        for (SchemaName name : SchemaName.values()) {
            Schema schema = registry.getSchema(SchemaLocation.of(name.id()));
            schema.initializeValidators(); // resolve every $ref now, so a broken schema fails at start
            schemas.put(name, schema);
        }
        Map<String, JsonNode> documents = new java.util.HashMap<>();
        java.util.function.Function<String, JsonNode> load = file -> documents.computeIfAbsent(file, f -> {
            try (InputStream in = TraceSchemas.class.getClassLoader().getResourceAsStream(SchemaName.RESOURCE_PREFIX + f)) {
                return in == null ? null : StrictJson.parse(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        for (SchemaName name : SchemaName.values()) {
            compiled.put(name, new CompiledSchema(load, name.fileName()));
        }
    }

    public static TraceSchemas get() {
        return DEFAULT;
    }

    /**
     * Every violation of {@code schema} in {@code instance}, schema rules first, then the refs rule.
     * The compiled form answers first; only what it does not find certainly valid (every invalid
     * document, and the rare one it is unsure of) goes through the reference validator, which
     * lists the violations — so valid documents, the gateway's common case, cost a fraction.
     */
    public List<Violation> validate(SchemaName schema, JsonNode instance) {
        List<Violation> out = new ArrayList<>();
        if (compiled.get(schema).check(instance) != CompiledSchema.VALID) {
            out.addAll(reference(schema, instance));
        }
        switch (schema) {
            case CHUNK -> out.addAll(ReferenceRules.checkChunk(instance));
            case TRACE -> out.addAll(ReferenceRules.checkEvents(instance.path("events"), "/events", true));
            default -> { }
        }
        return out;
    }

    /** The reference validator's violations alone (networknt), sorted by pointer: what the compiled form is tested against. */
    public List<Violation> reference(SchemaName schema, JsonNode instance) {
        List<Violation> out = new ArrayList<>();
        for (Error error : schemas.get(schema).validate(instance)) {
            out.add(new Violation(pointer(error), error.getKeyword(), error.getMessage()));
        }
        out.sort(Comparator.comparing(Violation::pointer));
        return out;
    }

    /** The compiled form's answer alone ({@link CompiledSchema#VALID}, INVALID or UNSURE). */
    public int compiledAnswer(SchemaName schema, JsonNode instance) {
        return compiled.get(schema).check(instance);
    }

    /**
     * Where the violation is. For a missing or an unexpected member the validator reports the
     * object holding it; we point at the member itself, so each bad field has its own pointer.
     */
    private static String pointer(Error error) {
        String at = error.getInstanceLocation().toString();
        if (error.getProperty() != null && MEMBER_KEYWORDS.contains(error.getKeyword())) {
            return at + "/" + error.getProperty().replace("~", "~0").replace("/", "~1");
        }
        return at;
    }

    /** The raw schema document, e.g. to serve it from the gateway. */
    public static JsonNode schemaDocument(SchemaName name) {
        try (InputStream in = TraceSchemas.class.getClassLoader().getResourceAsStream(name.resourcePath())) {
            if (in == null) {
                throw new IllegalStateException("schema " + name.resourcePath() + " is missing from the classpath");
            }
            return StrictJson.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
