package dev.prtelemetry.schemas.integrity;

import static dev.prtelemetry.schemas.integrity.TraceFixtures.TRACE_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md promises that a client in another language can produce traces we accept. The
 * Python reference client (reference/python/prt_chain.py), written from the design's
 * rules alone, chains the same events; both must agree on every hash.
 */
class CrossLanguageHashingTest {
    private static final Path REFERENCE = Path.of("reference/python/prt_chain.py");

    @Test
    void javaAndThePythonReferenceChainTheSampleSessionIdentically(@TempDir Path dir) throws Exception {
        assertSameChain(TraceFixtures.unchainedEvents(), dir);
    }

    @Test
    void javaAndThePythonReferenceAgreeOnAwkwardStringsAndNumbers(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        // no NUL: requests holding one are refused (PostgreSQL cannot store it), so no trace hashes one
        String alphabet = "aZ09 _-\"\\/\b\f\n\r\t\u001f\u007f\u0080é€\u2028\uFB33\uD83D\uDE00\uD834\uDD1E{}[]:,";
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ObjectNode e = StrictJson.mapper().createObjectNode();
            e.put("id", "ev-" + i);
            e.put("ts_client_s", 1.7e9 + random.nextInt(1_000_000_000) / 1e6);
            e.put("type", "cmd_run");
            ObjectNode p = e.putObject("payload");
            p.put("command", randomText(random, alphabet));
            p.put("cwd", randomText(random, alphabet));
            p.put("exit_code", random.nextInt(-255, 256));
            double d = switch (i % 3) {
                case 0 -> random.nextDouble() * Math.pow(10, random.nextInt(-12, 25));
                case 1 -> Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL);
                default -> random.nextInt(100_000) / 8.0;
            };
            p.put("duration_s", d);
            p.putObject(randomText(random, alphabet)).put(randomText(random, alphabet), random.nextLong() % (dev.prtelemetry.schemas.json.StrictJson.MAX_SAFE_INTEGER + 1));
            events.add(e);
        }
        assertSameChain(events, dir);
    }

    private static String randomText(SplittableRandom random, String alphabet) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(1, 12);
        for (int i = 0; i < n; i++) {
            int at = random.nextInt(alphabet.length());
            char c = alphabet.charAt(at);
            if (Character.isHighSurrogate(c)) {
                sb.append(c).append(alphabet.charAt(at + 1));
            } else if (!Character.isLowSurrogate(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void assertSameChain(List<ObjectNode> unchained, Path dir) throws Exception {
        assumeTrue(python3Available(), "python3 is not installed");
        Path input = dir.resolve("events.jsonl");
        StringBuilder lines = new StringBuilder();
        for (ObjectNode e : unchained) {
            lines.append(StrictJson.toString(e)).append('\n');
        }
        Files.writeString(input, lines, StandardCharsets.UTF_8);

        Process python = new ProcessBuilder("python3", REFERENCE.toString(), "chain", TRACE_ID)
                .redirectInput(input.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] out = python.getInputStream().readAllBytes();
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).isZero();
        JsonNode fromPython = StrictJson.parse(out);

        HashChain chain = new HashChain(TRACE_ID);
        List<JsonNode> fromJava = new ArrayList<>();
        for (ObjectNode e : unchained) {
            fromJava.add(chain.append(e.deepCopy()));
        }
        for (int i = 0; i < fromJava.size(); i++) {
            assertThat(fromPython.get("events").get(i).get("hash").textValue())
                    .as("hash of event %d: %s", i, fromJava.get(i))
                    .isEqualTo(fromJava.get(i).get("hash").textValue());
        }
        ChainVerdict verdict = TraceVerifier.verify(TRACE_ID, fromJava);
        assertThat(fromPython.get("integrity").get("chain_head").textValue()).isEqualTo(verdict.head());
        assertThat(fromPython.get("integrity").get("merkle_root").textValue()).isEqualTo(verdict.merkleRoot());
    }

    private static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
