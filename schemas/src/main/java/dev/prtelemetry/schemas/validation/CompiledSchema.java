package dev.prtelemetry.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The trace format's JSON Schemas compiled into plain checks, for the gateway's hot path: it
 * answers only "certainly valid" ({@link #VALID}), "certainly invalid" ({@link #INVALID}) or
 * "not sure" ({@link #UNSURE}); {@link TraceSchemas#validate} runs the full validator (networknt,
 * the reference, which lists every violation) whenever the answer is not {@link #VALID}. So the
 * compiled form may be less precise than the reference but never more lenient: wherever JSON
 * Schema's semantics and Java's could differ (an integer written as {@code 1.0}, a regular
 * expression's {@code $} before a line break, {@code enum} over numbers) it says {@link #UNSURE}.
 * A keyword it does not know fails compilation, so a schema change cannot slip past it.
 * {@code CompiledSchemaTest} checks it against the reference on every example and on mutants.
 */
public final class CompiledSchema {
    public static final int INVALID = 0;
    public static final int VALID = 1;
    public static final int UNSURE = -1;

    /** A compiled (sub)schema. */
    @FunctionalInterface
    interface Check {
        int check(JsonNode node);
    }

    /** Keywords that say nothing about validity. */
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$defs", "$comment", "title", "description",
            "examples", "default", "errorMessage");

    private final java.util.function.Function<String, JsonNode> documents;
    private final Map<String, Check> compiled = new HashMap<>();
    private final Check root;

    /**
     * @param documents every schema document by file name ({@code chunk.schema.json} …; null if none), so {@code $ref}s resolve
     * @param rootFile  the file to compile
     */
    CompiledSchema(java.util.function.Function<String, JsonNode> documents, String rootFile) {
        this.documents = documents;
        this.root = ref(rootFile, "");
    }

    /** {@link #VALID}, {@link #INVALID} or {@link #UNSURE}. */
    public int check(JsonNode instance) {
        return root.check(instance);
    }

    /** The check for a document and a JSON Pointer in it, compiled once (references may be recursive). */
    private Check ref(String file, String pointer) {
        String key = file + "#" + pointer;
        Check done = compiled.get(key);
        if (done != null) {
            return done;
        }
        Check[] slot = new Check[1];
        compiled.put(key, n -> slot[0].check(n)); // a recursive reference sees the slot
        JsonNode doc = documents.apply(file);
        if (doc == null) {
            throw new IllegalStateException("no schema document " + file);
        }
        JsonNode schema = pointer.isEmpty() ? doc : doc.at(pointer);
        if (schema.isMissingNode()) {
            throw new IllegalStateException("no " + pointer + " in " + file);
        }
        slot[0] = compile(file, schema);
        compiled.put(key, slot[0]);
        return slot[0];
    }

    private Check compile(String file, JsonNode s) {
        if (s.isBoolean()) {
            int answer = s.booleanValue() ? VALID : INVALID;
            return n -> answer;
        }
        if (!s.isObject()) {
            throw new IllegalStateException("a schema in " + file + " is not an object: " + s);
        }
        List<Check> all = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = s.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> kw = it.next();
            String k = kw.getKey();
            JsonNode v = kw.getValue();
            if (ANNOTATIONS.contains(k)) {
                continue;
            }
            switch (k) {
                case "$ref" -> all.add(resolve(file, v.asText()));
                case "type" -> all.add(type(v));
                case "enum" -> all.add(oneOfValues(v));
                case "const" -> all.add(oneOfValues(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(v)));
                case "minLength" -> {
                    int min = v.intValue();
                    all.add(n -> !n.isTextual() ? VALID : length(n.textValue()) >= min ? VALID : INVALID);
                }
                case "maxLength" -> {
                    int max = v.intValue();
                    all.add(n -> !n.isTextual() ? VALID : length(n.textValue()) <= max ? VALID : INVALID);
                }
                case "pattern" -> all.add(pattern(v.asText()));
                case "minimum" -> {
                    BigDecimal min = v.decimalValue();
                    all.add(n -> !n.isNumber() ? VALID : compare(n, min) >= 0 ? VALID : INVALID);
                }
                case "maximum" -> {
                    BigDecimal max = v.decimalValue();
                    all.add(n -> !n.isNumber() ? VALID : compare(n, max) <= 0 ? VALID : INVALID);
                }
                case "minItems" -> {
                    int min = v.intValue();
                    all.add(n -> !n.isArray() ? VALID : n.size() >= min ? VALID : INVALID);
                }
                case "maxItems" -> {
                    int max = v.intValue();
                    all.add(n -> !n.isArray() ? VALID : n.size() <= max ? VALID : INVALID);
                }
                case "maxProperties" -> {
                    int max = v.intValue();
                    all.add(n -> !n.isObject() ? VALID : n.size() <= max ? VALID : INVALID);
                }
                case "uniqueItems" -> {
                    if (v.booleanValue()) {
                        all.add(CompiledSchema::unique);
                    }
                }
                case "required" -> {
                    List<String> names = new ArrayList<>();
                    v.forEach(x -> names.add(x.asText()));
                    all.add(n -> {
                        if (!n.isObject()) {
                            return VALID;
                        }
                        for (String name : names) {
                            if (!n.has(name)) {
                                return INVALID;
                            }
                        }
                        return VALID;
                    });
                }
                case "dependentRequired" -> {
                    Map<String, List<String>> deps = new HashMap<>();
                    v.fields().forEachRemaining(e -> {
                        List<String> need = new ArrayList<>();
                        e.getValue().forEach(x -> need.add(x.asText()));
                        deps.put(e.getKey(), need);
                    });
                    all.add(n -> {
                        if (!n.isObject()) {
                            return VALID;
                        }
                        for (Map.Entry<String, List<String>> d : deps.entrySet()) {
                            if (n.has(d.getKey())) {
                                for (String need : d.getValue()) {
                                    if (!n.has(need)) {
                                        return INVALID;
                                    }
                                }
                            }
                        }
                        return VALID;
                    });
                }
                case "properties" -> { } // with additionalProperties, below
                case "additionalProperties" -> { }
                case "items" -> {
                    Check item = compile(file, v);
                    all.add(n -> {
                        if (!n.isArray()) {
                            return VALID;
                        }
                        int answer = VALID;
                        for (JsonNode x : n) {
                            int r = item.check(x);
                            if (r == INVALID) {
                                return INVALID;
                            }
                            answer = Math.min(answer, r);
                        }
                        return answer;
                    });
                }
                case "allOf" -> {
                    List<Check> parts = new ArrayList<>();
                    v.forEach(x -> parts.add(compile(file, x)));
                    all.addAll(parts);
                }
                case "oneOf" -> {
                    List<Check> parts = new ArrayList<>();
                    v.forEach(x -> parts.add(compile(file, x)));
                    all.add(n -> {
                        int valid = 0;
                        boolean unsure = false;
                        for (Check p : parts) {
                            int r = p.check(n);
                            if (r == VALID) {
                                valid++;
                            } else if (r == UNSURE) {
                                unsure = true;
                            }
                        }
                        if (valid > 1) {
                            return INVALID;
                        }
                        return unsure ? UNSURE : valid == 1 ? VALID : INVALID;
                    });
                }
                case "not" -> {
                    Check inner = compile(file, v);
                    all.add(n -> {
                        int r = inner.check(n);
                        return r == UNSURE ? UNSURE : r == VALID ? INVALID : VALID;
                    });
                }
                case "if" -> {
                    Check cond = compile(file, v);
                    Check then = s.has("then") ? compile(file, s.get("then")) : n -> VALID;
                    Check otherwise = s.has("else") ? compile(file, s.get("else")) : n -> VALID;
                    all.add(n -> {
                        int r = cond.check(n);
                        return r == UNSURE ? UNSURE : r == VALID ? then.check(n) : otherwise.check(n);
                    });
                }
                case "then", "else" -> { } // with "if"
                default -> throw new IllegalStateException("the compiled validator does not know the keyword '" + k
                        + "' (in " + file + "); teach CompiledSchema before using it in a schema");
            }
        }
        if (s.has("properties") || s.has("additionalProperties")) {
            all.add(properties(file, s.path("properties"), s.get("additionalProperties")));
        }
        Check[] checks = all.toArray(new Check[0]);
        return n -> {
            int answer = VALID;
            for (Check c : checks) {
                int r = c.check(n);
                if (r == INVALID) {
                    return INVALID;
                }
                answer = Math.min(answer, r);
            }
            return answer;
        };
    }

    private Check resolve(String file, String ref) {
        int hash = ref.indexOf('#');
        String target = hash < 0 ? ref : ref.substring(0, hash);
        String pointer = hash < 0 ? "" : ref.substring(hash + 1);
        if (target.startsWith(SchemaName.ID_PREFIX)) {
            target = target.substring(SchemaName.ID_PREFIX.length());
        }
        if (target.contains("/") || target.contains(":")) {
            throw new IllegalStateException("the compiled validator resolves only references between the v1 files, not " + ref);
        }
        return ref(target.isEmpty() ? file : target, pointer);
    }

    private Check properties(String file, JsonNode props, JsonNode additional) {
        Map<String, Check> known = new HashMap<>();
        props.fields().forEachRemaining(e -> known.put(e.getKey(), compile(file, e.getValue())));
        Check extra = additional == null ? null : compile(file, additional);
        return n -> {
            if (!n.isObject()) {
                return VALID;
            }
            int answer = VALID;
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                Check c = known.get(f.getKey());
                if (c == null) {
                    c = extra;
                }
                if (c != null) {
                    int r = c.check(f.getValue());
                    if (r == INVALID) {
                        return INVALID;
                    }
                    answer = Math.min(answer, r);
                }
            }
            return answer;
        };
    }

    private static Check type(JsonNode v) {
        List<String> types = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(t -> types.add(t.asText()));
        } else {
            types.add(v.asText());
        }
        for (String t : types) {
            if (!Set.of("string", "integer", "number", "object", "array", "boolean", "null").contains(t)) {
                throw new IllegalStateException("unknown type " + t);
            }
        }
        return n -> {
            boolean unsure = false;
            for (String t : types) {
                int r = switch (t) {
                    case "string" -> n.isTextual() ? VALID : INVALID;
                    case "number" -> n.isNumber() ? VALID : INVALID;
                    // 1.0 is an integer to JSON Schema; whether the reference reads it so is its call
                    case "integer" -> n.isIntegralNumber() ? VALID : n.isNumber() ? UNSURE : INVALID;
                    case "object" -> n.isObject() ? VALID : INVALID;
                    case "array" -> n.isArray() ? VALID : INVALID;
                    case "boolean" -> n.isBoolean() ? VALID : INVALID;
                    default -> n.isNull() ? VALID : INVALID;
                };
                if (r == VALID) {
                    return VALID;
                }
                unsure |= r == UNSURE;
            }
            return unsure ? UNSURE : INVALID;
        };
    }

    /** enum and const: a string equal to a listed string is certain; anything else that is not equal is left to the reference. */
    private static Check oneOfValues(JsonNode values) {
        Set<JsonNode> allowed = new HashSet<>();
        values.forEach(allowed::add);
        boolean onlyStrings = allowed.stream().allMatch(JsonNode::isTextual);
        return n -> allowed.contains(n) ? VALID : onlyStrings && (n.isTextual() || n.isContainerNode() || n.isBoolean()
                || n.isNull() || n.isNumber()) ? INVALID : UNSURE;
    }

    /** {@code ^[class]+$}, {@code ^[class]{n}$} or {@code ^[class]{n,m}$} over ASCII ranges: the ids and digests of the format. */
    private static final Pattern SIMPLE = Pattern.compile("\\^\\[((?:[A-Za-z0-9._@:]|[A-Za-z0-9]-[A-Za-z0-9])+-?)\\](\\+|\\{(\\d+)\\}|\\{(\\d+),(\\d+)\\})\\$");

    private static Check pattern(String regex) {
        var simple = SIMPLE.matcher(regex);
        if (simple.matches()) {
            // a character class over ASCII and a length: checked with a table, not a regex engine (the hot path's
            // strings are ids and hashes); a line break is outside every such class, so ECMA's and Java's $ agree
            boolean[] allowed = new boolean[128];
            String cls = simple.group(1);
            for (int i = 0; i < cls.length(); i++) {
                char c = cls.charAt(i);
                if (i + 2 < cls.length() && cls.charAt(i + 1) == '-') {
                    for (char x = c; x <= cls.charAt(i + 2); x++) {
                        allowed[x] = true;
                    }
                    i += 2;
                } else {
                    allowed[c] = true;
                }
            }
            int min = simple.group(3) != null ? Integer.parseInt(simple.group(3))
                    : simple.group(4) != null ? Integer.parseInt(simple.group(4)) : 1;
            int max = simple.group(3) != null ? min : simple.group(5) != null ? Integer.parseInt(simple.group(5)) : Integer.MAX_VALUE;
            return n -> {
                if (!n.isTextual()) {
                    return VALID;
                }
                String s = n.textValue();
                if (s.length() < min || s.length() > max) {
                    return INVALID;
                }
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c >= 128 || !allowed[c]) {
                        return INVALID;
                    }
                }
                return VALID;
            };
        }
        Pattern p = Pattern.compile(regex);
        boolean anchorsAtEnd = regex.contains("$");
        return n -> {
            if (!n.isTextual()) {
                return VALID;
            }
            String s = n.textValue();
            if (anchorsAtEnd && hasLineBreak(s)) {
                return UNSURE; // Java's $ also matches before a final line break; ECMA 262's does not
            }
            return p.matcher(s).find() ? VALID : INVALID;
        };
    }

    private static boolean hasLineBreak(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    private static int unique(JsonNode n) {
        if (!n.isArray()) {
            return VALID;
        }
        Set<String> seen = new HashSet<>();
        for (JsonNode x : n) {
            if (!x.isTextual()) {
                return UNSURE; // JSON Schema's equality of numbers and objects is not Jackson's
            }
            if (!seen.add(x.textValue())) {
                return INVALID;
            }
        }
        return VALID;
    }

    /** A number against a bound, exactly (longs compared as longs, the rest as decimals). */
    private static int compare(JsonNode n, BigDecimal bound) {
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            long v = n.longValue();
            if (bound.scale() <= 0 && bound.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
                return Long.compare(v, bound.longValue());
            }
            return BigDecimal.valueOf(v).compareTo(bound);
        }
        if (n.isDouble() || n.isFloat()) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Double.isNaN(d) ? 1 : d > 0 ? 1 : -1;
            }
            return new BigDecimal(d).compareTo(bound);
        }
        if (bound.signum() == 0) {
            return n.decimalValue().signum(); // minimum 0, the common bound
        }
        return n.decimalValue().compareTo(bound);
    }

    /** Characters as JSON Schema counts them: code points. */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
