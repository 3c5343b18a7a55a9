package dev.prtelemetry.schemas.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The one JSON reader every part of PR Telemetry uses for trace data. It refuses what
 * RFC 8785 (I-JSON) refuses — duplicate keys, trailing content, non-numeric numbers —
 * and keeps floating-point literals as exact decimals, so a number outside the IEEE-754
 * range is caught when it is canonicalized instead of silently becoming infinity or zero.
 */
public final class StrictJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /**
     * For text this system wrote after the strict checks (records on its own topics, its stored
     * documents): no duplicate-key bookkeeping and floating-point numbers as doubles, which is
     * what canonicalization uses anyway. Never for bytes that come from outside.
     */
    private static final ObjectMapper ACCEPTED = JsonMapper.builder()
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    /**
     * Reads JSON that was accepted by {@link #parse(byte[])} before and written by this system
     * since (a record the gateway wrote, a document the assembly wrote): about twice as fast, for
     * the paths that read every event again. Malformed text is still refused.
     */
    public static JsonNode parseAccepted(byte[] utf8) {
        try {
            JsonNode node = ACCEPTED.readTree(utf8);
            if (node == null || node.isMissingNode()) {
                throw new CanonicalizationException("not valid JSON: empty input");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new CanonicalizationException("not valid JSON: " + e.getOriginalMessage() + location(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #parseAccepted(byte[])}, for text. */
    public static JsonNode parseAccepted(String text) {
        try {
            JsonNode node = ACCEPTED.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new CanonicalizationException("not valid JSON: empty input");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new CanonicalizationException("not valid JSON: " + e.getOriginalMessage() + location(e), e);
        }
    }

    /** The shared strict mapper; safe to use from many threads. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text); // text already decoded; canonicalization (RFC 8785) takes any double
        } catch (JsonProcessingException e) {
            throw new CanonicalizationException("not valid JSON: " + e.getOriginalMessage() + location(e), e);
        }
    }

    /**
     * Parses JSON text that must be UTF-8 exactly as RFC 8259 §8.1 asks of text exchanged between
     * systems: no byte-order mark, no UTF-16 or UTF-32, no overlong forms, no encoded surrogates —
     * a reader that guessed another encoding would accept bytes that the rest of the pipeline
     * (which reads UTF-8) then reads differently. The values must be interoperable (I-JSON,
     * RFC 7493): strings of whole Unicode characters (no lone surrogate, escaped or not; no NUL, which
     * PostgreSQL cannot store), integers
     * within ±(2^53−1), other numbers within the range of IEEE-754 doubles.
     */
    public static JsonNode parse(byte[] utf8) {
        requireUtf8(utf8);
        try {
            JsonNode node = MAPPER.readTree(utf8);
            if (node == null || node.isMissingNode()) {
                throw new CanonicalizationException("not valid JSON: empty input");
            }
            requireInteroperable(node, "");
            return node;
        } catch (JsonProcessingException e) {
            throw new CanonicalizationException("not valid JSON: " + e.getOriginalMessage() + location(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parse(InputStream in) {
        try {
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toString(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compact UTF-8 JSON of a node (what {@code node.toString()} gives, as bytes, without the String). */
    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The largest integer every JSON reader represents exactly (2^53−1). */
    public static final long MAX_SAFE_INTEGER = 9007199254740991L;
    private static final java.math.BigDecimal MAX_DOUBLE = new java.math.BigDecimal(Double.MAX_VALUE);
    private static final java.math.BigDecimal MIN_NORMALISH = new java.math.BigDecimal(Double.MIN_VALUE);

    /** Refuses bytes that are not strict UTF-8 without a byte-order mark, naming the first bad byte. */
    public static void requireUtf8(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            throw new CanonicalizationException("not accepted: the text starts with a UTF-8 byte-order mark; send UTF-8 without one");
        }
        if (b.length >= 2 && (((b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) || ((b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE))) {
            throw new CanonicalizationException("not accepted: the text starts with a UTF-16 or UTF-32 byte-order mark; send UTF-8");
        }
        if (b.length >= 2 && (b[0] == 0 || b[1] == 0)) {
            throw new CanonicalizationException("not accepted: the text looks like UTF-16 or UTF-32 (NUL bytes at the start); send UTF-8");
        }
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                min = 0x10000;
            } else {
                throw notUtf8(i, c == 0xC0 || c == 0xC1 ? "an overlong encoding" : "a byte that cannot start a character");
            }
            if (i + n >= b.length) {
                throw notUtf8(i, "a character cut short by the end of the text");
            }
            int cp = c & (0x3F >> n);
            for (int k = 1; k <= n; k++) {
                int x = b[i + k] & 0xFF;
                if ((x & 0xC0) != 0x80) {
                    throw notUtf8(i, "a character cut short");
                }
                cp = (cp << 6) | (x & 0x3F);
            }
            if (cp < min) {
                throw notUtf8(i, "an overlong encoding");
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                throw notUtf8(i, "an encoded surrogate (U+" + Integer.toHexString(cp).toUpperCase() + ")");
            }
            if (cp > 0x10FFFF) {
                throw notUtf8(i, "a code point beyond U+10FFFF");
            }
            i += n + 1;
        }
    }

    private static CanonicalizationException notUtf8(int offset, String what) {
        return new CanonicalizationException("not accepted: not UTF-8 — " + what + " at byte " + offset);
    }

    /** Refuses values other readers would read differently (I-JSON, RFC 7493), naming where. */
    public static void requireInteroperable(JsonNode node, String pointer) {
        check(node, new Where(null, pointer, -1, false));
    }

    /** Where a value is: built into a JSON Pointer only when something is refused (most values never need it). */
    private record Where(Where parent, String name, int index, boolean isName) {
        @Override
        public String toString() {
            if (parent == null) {
                return name;
            }
            String self = index >= 0 ? String.valueOf(index) : name.replace("~", "~0").replace("/", "~1");
            return parent + "/" + (isName ? name + " (the name)" : self);
        }
    }

    private static void check(JsonNode node, Where at) {
        if (node.isTextual()) {
            requireWholeCharacters(node.textValue(), at);
        } else if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                if (needsCheck(f.getKey())) {
                    requireWholeCharacters(f.getKey(), new Where(at, f.getKey(), -1, true));
                }
                JsonNode v = f.getValue();
                if (v.isContainerNode() || v.isNumber() || (v.isTextual() && needsCheck(v.textValue()))) {
                    check(v, new Where(at, f.getKey(), -1, false));
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), new Where(at, null, i, false));
            }
        } else if (node.isIntegralNumber()) {
            if (node.canConvertToLong() && node.longValue() >= -MAX_SAFE_INTEGER && node.longValue() <= MAX_SAFE_INTEGER) {
                return;
            }
            throw new CanonicalizationException("not accepted: the integer at " + where(at.toString()) + " is beyond ±(2^53−1), "
                    + "which JSON readers cannot all represent exactly");
        } else if (node.isNumber()) {
            java.math.BigDecimal v = node.decimalValue().abs();
            if (v.compareTo(MAX_DOUBLE) > 0) {
                throw new CanonicalizationException("not accepted: the number at " + where(at.toString()) + " is beyond the range of "
                        + "IEEE-754 doubles");
            }
            if (v.signum() != 0 && v.compareTo(MIN_NORMALISH) < 0) {
                throw new CanonicalizationException("not accepted: the number at " + where(at.toString()) + " is too small for an "
                        + "IEEE-754 double (it would read as 0)");
            }
        }
    }

    /** Whether a string holds a NUL or a surrogate at all (the common case, plain text, needs no closer look). */
    private static boolean needsCheck(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || (c >= '\uD800' && c <= '\uDFFF')) {
                return true;
            }
        }
        return false;
    }

    private static void requireWholeCharacters(String s, Object pointer) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                // valid JSON, but PostgreSQL's text and jsonb cannot hold it: a chunk carrying one was acknowledged
                // and then stopped the assembly's database writer (found by the fuzz suite)
                throw new CanonicalizationException("not accepted: the string at " + where(pointer.toString()) + " holds a NUL character "
                        + "(\\u0000), which the trace stores cannot hold");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new CanonicalizationException("not accepted: the string at " + where(pointer.toString()) + " holds a lone surrogate "
                        + "(\\u" + Integer.toHexString(c) + "), which is not a character");
            }
        }
    }

    private static String where(String pointer) {
        return pointer.isEmpty() ? "the top" : pointer;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
