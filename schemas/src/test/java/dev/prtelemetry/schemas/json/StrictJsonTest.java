package dev.prtelemetry.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's findings 1–3 at the one JSON reader: text that another reader would read differently
 * is refused, never repaired or guessed at (a chunk with a byte-order mark or in UTF-16 was
 * acknowledged by the gateway and then lost by the assembly, which reads UTF-8).
 */
class StrictJsonTest {
    static final String CHUNK = "{\"trace_id\":\"t\",\"chunk_seq\":0,\"note\":\"caf\u00e9 \ud83d\ude00\"}";

    static byte[] cat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void strictUtf8IsAccepted() {
        assertThat(StrictJson.parse(CHUNK.getBytes(StandardCharsets.UTF_8)).get("note").asText()).isEqualTo("caf\u00e9 \ud83d\ude00");
    }

    @Test
    void aByteOrderMarkOrAnotherEncodingIsRefused() {
        byte[] utf8 = CHUNK.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> StrictJson.parse(cat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8)))
                .hasMessageContaining("UTF-8 byte-order mark");
        for (String cs : new String[] {"UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "UTF-32LE"}) {
            assertThatThrownBy(() -> StrictJson.parse(CHUNK.getBytes(java.nio.charset.Charset.forName(cs)))).as(cs)
                    .isInstanceOf(CanonicalizationException.class).hasMessageContaining("UTF-16 or UTF-32");
        }
    }

    @Test
    void overlongFormsEncodedSurrogatesAndCutCharactersAreRefused() {
        String[] bad = {"C0 AF", "E0 80 AF", "ED A0 80", "F4 90 80 80", "C3", "80", "FF"};
        for (String hex : bad) {
            byte[] inner = java.util.HexFormat.ofDelimiter(" ").parseHex(hex);
            byte[] doc = cat(cat("{\"a\":\"x".getBytes(StandardCharsets.UTF_8), inner), "\"}".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> StrictJson.parse(doc)).as(hex).isInstanceOf(CanonicalizationException.class)
                    .hasMessageContaining("not UTF-8").hasMessageContaining("at byte 7");
        }
    }

    @Test
    void aLoneSurrogateEscapeIsRefusedAPairIsNot() {
        assertThatThrownBy(() -> StrictJson.parse("{\"a\":[\"ok\",\"\\ud800\"]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("/a/1").hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> StrictJson.parse("{\"\\udc00\":1}".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("lone surrogate");
        assertThat(StrictJson.parse("{\"a\":\"\\ud83d\\ude00\"}".getBytes(StandardCharsets.UTF_8)).get("a").asText()).isEqualTo("\ud83d\ude00");
    }

    /** Found by the fuzz suite: a NUL in a creation request was acknowledged, then stopped the assembly's PostgreSQL writer. */
    @Test
    void aNulCharacterIsRefused() {
        assertThatThrownBy(() -> StrictJson.parse("{\"task_id\":\"a\\u0000b\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("/task_id").hasMessageContaining("NUL");
    }

    @Test
    void numbersOutsideWhatEveryReaderRepresentsAreRefused() {
        for (String n : new String[] {"18446744073709551616", "9223372036854775808", "9007199254740992", "-9007199254740992"}) {
            assertThatThrownBy(() -> StrictJson.parse(("{\"chunk_seq\":" + n + "}").getBytes(StandardCharsets.UTF_8))).as(n)
                    .hasMessageContaining("/chunk_seq").hasMessageContaining("2^53");
        }
        for (String n : new String[] {"1e400", "-1e400", "1e-400"}) {
            assertThatThrownBy(() -> StrictJson.parse(("{\"ts_client_s\":" + n + "}").getBytes(StandardCharsets.UTF_8))).as(n)
                    .hasMessageContaining("/ts_client_s").hasMessageContaining("IEEE-754");
        }
        assertThat(StrictJson.parse("{\"a\":9007199254740991,\"b\":1.5e300,\"c\":0.0}".getBytes(StandardCharsets.UTF_8)).get("a").asLong())
                .isEqualTo(9007199254740991L);
    }
}
