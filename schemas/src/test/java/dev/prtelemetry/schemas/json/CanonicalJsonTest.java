package dev.prtelemetry.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    @Test
    void canonicalizesTheRfcSampleExactly() throws IOException {
        // RFC 8785 §3.2.2 input and §3.2.3 output.
        assertThat(CanonicalJson.canonicalize(resource("sample-input.json")))
                .isEqualTo(resource("sample-output.json"));
    }

    @Test
    void sortsMembersByUtf16CodeUnitsAsTheRfcSortingExampleDoes() throws IOException {
        // RFC 8785 §3.2.3: "\r", "1", U+0080, U+00F6, U+20AC, U+1F600 (a surrogate pair, D83D…), U+FB33.
        assertThat(CanonicalJson.canonicalize(resource("sorting-input.json")))
                .isEqualTo(resource("sorting-output.json"));
    }

    @Test
    void writesTheSampleAsTheRfcsUtf8Bytes() throws IOException {
        byte[] bytes = CanonicalJson.canonicalBytes(StrictJson.parse(resource("sample-input.json")));
        // RFC 8785 §3.2.4, first 40 bytes and the euro sign's three.
        assertThat(java.util.HexFormat.of().formatHex(bytes, 0, 40))
                .isEqualTo("7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a");
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"string\":\"€$");
    }

    @Test
    void escapesOnlyWhatEcmaScriptEscapes() {
        assertThat(CanonicalJson.canonicalize("[\"\\u0000\\u001f\\u007f\\u2028\\b\\f\\n\\r\\t\\\"\\\\\\/\"]"))
                .isEqualTo("[\"\\u0000\\u001f\u007f\u2028\\b\\f\\n\\r\\t\\\"\\\\/\"]");
    }

    @Test
    void nestsWithoutWhitespaceAndKeepsArrayOrder() {
        assertThat(CanonicalJson.canonicalize(" { \"b\" : [ 3 , 1 , {\"z\":1, \"a\":[]} ], \"a\" : { } } "))
                .isEqualTo("{\"a\":{},\"b\":[3,1,{\"a\":[],\"z\":1}]}");
    }

    @Test
    void writesIntegersBeyondDoublePrecisionAsTheDoubleTheyBecome() {
        assertThat(CanonicalJson.canonicalize("[9007199254740993, 12345678901234567890, -0, 1.0, 1E2, 0.1e1]"))
                .isEqualTo("[9007199254740992,12345678901234567000,0,1,100,1]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e400", "-1e400", "1e-400", "[1, 2e999]", "123456789012345678901234567890e300"})
    void refusesNumbersOutsideTheDoubleRange(String json) {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(json))
                .isInstanceOf(CanonicalizationException.class)
                .hasMessageContaining("IEEE-754");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "[Infinity]", "{\"a\": -Infinity}"})
    void refusesNonNumericNumbersInText(String json) {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(json)).isInstanceOf(CanonicalizationException.class);
    }

    @Test
    void refusesNanAndInfinityInATree() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("x", Double.NaN);
        assertThatThrownBy(() -> CanonicalJson.canonicalString(node))
                .isInstanceOf(CanonicalizationException.class).hasMessageContaining("/x");
        node.put("x", Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> CanonicalJson.canonicalString(node)).isInstanceOf(CanonicalizationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"x\":{\"k\":true,\"k\":true}}", "[{\"\\u0061\":1,\"a\":1}]"})
    void refusesDuplicateKeys(String json) {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(json))
                .isInstanceOf(CanonicalizationException.class)
                .hasMessageContaining("Duplicate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\ud800\"", "[\"a\\udc00\"]", "{\"\\ud83d\":1}", "\"\\ude00\\ud83d\"", "{\"k\":\"x\\ud800y\"}"})
    void refusesLoneSurrogates(String json) {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(json))
                .isInstanceOf(CanonicalizationException.class)
                .hasMessageContaining("lone surrogate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1} x", "{'a':1}", "[1,]", "01", "{\"a\":1}{}"})
    void refusesTextThatIsNotJson(String json) {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(json)).isInstanceOf(CanonicalizationException.class);
    }

    @Property(tries = 300)
    void reorderingObjectKeysNeverChangesTheCanonicalForm(@ForAll("documents") JsonNode document, @ForAll long seed) {
        JsonNode shuffled = shuffleKeys(document, new Random(seed));
        assertThat(CanonicalJson.canonicalString(shuffled)).isEqualTo(CanonicalJson.canonicalString(document));
    }

    @Property(tries = 300)
    void canonicalFormIsAFixedPoint(@ForAll("documents") JsonNode document) {
        String once = CanonicalJson.canonicalString(document);
        assertThat(CanonicalJson.canonicalize(once)).isEqualTo(once);
    }

    @Provide
    Arbitrary<JsonNode> documents() {
        return Arbitraries.recursive(this::leaf, this::container, 4);
    }

    private Arbitrary<JsonNode> leaf() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(s -> (JsonNode) f.textNode(s.replaceAll("\\p{Cs}", "x"))),
                Arbitraries.integers().map(i -> (JsonNode) f.numberNode(i)),
                Arbitraries.doubles().map(d -> (JsonNode) f.numberNode(d)),
                Arbitraries.of(true, false).map(b -> (JsonNode) f.booleanNode(b)),
                Arbitraries.just(f.nullNode()));
    }

    private Arbitrary<JsonNode> container(Arbitrary<JsonNode> inner) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Arbitrary<JsonNode> arrays = inner.list().ofMaxSize(4).map(items -> {
            var a = f.arrayNode();
            items.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> objects = Arbitraries.maps(
                Arbitraries.of("a", "b", "A", "_", "\u00e9", "\u20ac", "\uD83D\uDE00", "\uFB33", "\r", "1")
                        .list().ofMaxSize(3).map(parts -> String.join("", parts)),
                inner).ofMaxSize(5).map(m -> {
                    ObjectNode o = f.objectNode();
                    m.forEach(o::set);
                    return o;
                });
        return Arbitraries.oneOf(arrays, objects);
    }

    private static JsonNode shuffleKeys(JsonNode node, Random random) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
            members.addAll(node.properties());
            Collections.shuffle(members, random);
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> m : members) {
                copy.set(m.getKey(), shuffleKeys(m.getValue(), random));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(e -> copy.add(shuffleKeys(e, random)));
            return copy;
        }
        return node;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = CanonicalJsonTest.class.getResourceAsStream("/rfc8785/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
