package dev.prtelemetry.schemas.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * <ul>
 *   <li>object members sorted by their names as arrays of UTF-16 code units
 *       ({@link String#compareTo} is exactly that order);</li>
 *   <li>numbers in ECMAScript form ({@link EcmaNumbers});</li>
 *   <li>strings escaped as ECMAScript's {@code JSON.stringify} does: only {@code "},
 *       {@code \}, and control characters below U+0020, the latter as the two-character escapes b t n f r
 *       or lowercase {@code \\u00xx} (backslash-u); everything else literal, encoded as UTF-8;</li>
 *   <li>no whitespace.</li>
 * </ul>
 *
 * Lone surrogates and non-finite or out-of-range numbers are refused with
 * {@link CanonicalizationException}; parse with {@link StrictJson} to also refuse
 * duplicate keys.
 */
public final class CanonicalJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {
    }

    /** Canonical form of {@code json} text; refuses duplicate keys and everything JCS cannot represent. */
    public static String canonicalize(String json) {
        return canonicalString(StrictJson.parse(json));
    }

    public static String canonicalString(JsonNode node) {
        StringBuilder out = builder();
        write(node, out, Path.ROOT, Set.of());
        return out.toString();
    }

    public static byte[] canonicalBytes(JsonNode node) {
        return canonicalString(node).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A cleared builder of this thread's, kept between calls: every event is canonicalized on the
     * hot paths, and a new builder grown to an event's size each time was a tenth of the assembly's CPU.
     * (Large builders are not kept, so one huge document does not pin its memory.)
     */
    private static StringBuilder builder() {
        StringBuilder b = BUILDER.get();
        if (b.capacity() > 1 << 20) {
            b = new StringBuilder(8192);
            BUILDER.set(b);
        }
        b.setLength(0);
        return b;
    }

    private static final ThreadLocal<StringBuilder> BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(8192));

    /**
     * Canonical bytes of an object with some top-level members left out, without copying it:
     * the event hash is taken over the event minus {@code hash} and {@code ts_server_s}.
     */
    public static byte[] canonicalBytesWithout(JsonNode object, Set<String> omittedTopLevelMembers) {
        if (!object.isObject()) {
            throw new CanonicalizationException("expected a JSON object");
        }
        StringBuilder out = builder();
        write(object, out, Path.ROOT, omittedTopLevelMembers);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(JsonNode node, StringBuilder out, Path pointer, Set<String> omitted) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, pointer, omitted);
            case ARRAY -> {
                out.append('[');
                int i = 0;
                for (JsonNode element : node) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(element, out, new Path(pointer, null, i), Set.of());
                    i++;
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out, pointer);
            case NUMBER -> out.append(number(node, pointer));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new CanonicalizationException(
                    "value at '" + pointer + "' is not JSON (" + node.getNodeType() + ")");
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out, Path pointer, Set<String> omitted) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.size());
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            if (!omitted.contains(member.getKey())) {
                members.add(member);
            }
        }
        members.sort(Map.Entry.comparingByKey()); // String order = UTF-16 code-unit order
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : members) {
            if (!first) {
                out.append(',');
            }
            first = false;
            Path childPointer = new Path(pointer, member.getKey(), -1);
            writeString(member.getKey(), out, childPointer);
            out.append(':');
            write(member.getValue(), out, childPointer, Set.of());
        }
        out.append('}');
    }

    private static String number(JsonNode node, Path pointer) {
        if (node.isInt() || node.isLong()) {
            long v = node.longValue();
            if (Math.abs(v) <= (1L << 53)) {
                return Long.toString(v);
            }
            return EcmaNumbers.format((double) v);
        }
        double d;
        if (node.isBigDecimal() || node.isBigInteger()) {
            BigDecimal exact = node.decimalValue();
            d = exact.doubleValue();
            if (Double.isInfinite(d)) {
                throw new CanonicalizationException(
                        "number at '" + pointer + "' is outside the IEEE-754 double range: " + abbreviate(exact));
            }
            if (d == 0 && exact.signum() != 0) {
                throw new CanonicalizationException(
                        "number at '" + pointer + "' is too small for an IEEE-754 double (it would become 0): " + abbreviate(exact));
            }
        } else {
            d = node.doubleValue();
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new CanonicalizationException("number at '" + pointer + "' is " + d + ", which JSON cannot represent");
        }
        return EcmaNumbers.format(d);
    }

    private static String abbreviate(BigDecimal value) {
        String s = value.toString();
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static void writeString(String s, StringBuilder out, Path pointer) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    out.append(c).append(s.charAt(++i));
                    continue;
                }
                throw new CanonicalizationException(String.format(
                        "string at '%s' holds a lone surrogate U+%04X at index %d: not valid Unicode (RFC 8785 §3.2.2.2)",
                        pointer, (int) c, i));
            }
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Where a value sits, rendered as a JSON Pointer only when an error needs it. */
    private record Path(Path parent, String key, int index) {
        static final Path ROOT = new Path(null, null, -1);

        @Override
        public String toString() {
            if (parent == null) {
                return "";
            }
            String step = key != null ? key.replace("~", "~0").replace("/", "~1") : Integer.toString(index);
            return parent + "/" + step;
        }
    }
}
