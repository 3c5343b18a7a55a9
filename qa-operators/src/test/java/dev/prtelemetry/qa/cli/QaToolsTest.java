package dev.prtelemetry.qa.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.qa.sandbox.NamespaceSandbox;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prt junit and prt qa verify, as a user runs them. */
/** The {@code prt qa} tools (prt-qa.jar), run in-process as the shell would: verification, judging, agreement. */
class QaToolsTest {
    static final Path EXAMPLES = Path.of("../examples").toAbsolutePath().normalize();

    record Result(int exitCode, String out, String err) {
    }

    /** {@code prt qa ARGS…}: the first argument "qa" is the jar's root command, as the prt script passes it. */
    static final class PrtRunner {
        static Result run(String... args) {
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            var cl = new picocli.CommandLine(new QaCommand());
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(err, true));
            String[] rest = args.length > 0 && args[0].equals("qa") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
            return new Result(cl.execute(rest), out.toString(), err.toString());
        }
    }

    @Test
    void doctorSaysWhichSandboxAndWhy() {
        var r = PrtRunner.run("qa", "doctor");
        assertThat(r.out()).as(r.err()).containsAnyOf("test re-runs use the", "no sandbox:");
    }

    @Test
    void qaVerifyJudgesTheExamplesWithExitCodes() throws Exception {
        assumeTrue(NamespaceSandbox.detect() != null, "no namespace sandbox is usable here");
        var fixed = PrtRunner.run("qa", "verify", "--json", EXAMPLES.resolve("dates-leap-day/trace.json").toString());
        assertThat(fixed.exitCode()).as(fixed.out() + fixed.err()).isZero();
        JsonNode v = StrictJson.parse(fixed.out());
        assertThat(v.get("resolved").asBoolean()).isTrue();
        assertThat(v.get("tests").get(0).has("before")).isTrue();
        var failed = PrtRunner.run("qa", "verify", EXAMPLES.resolve("auth-token-expiry/trace.json").toString());
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.out()).contains("NOT RESOLVED").contains("still failing");
        var noSnapshot = PrtRunner.run("qa", "verify", "--snapshot", "/nonexistent.bundle",
                EXAMPLES.resolve("auth-token-expiry/trace.json").toString());
        assertThat(noSnapshot.exitCode()).isEqualTo(2);
    }

    /** Two judges over the examples: the heuristic one and an LLM judge on a local chat-completions server. */
    @Test
    void agreementPrintsAlphaForTwoJudgesOverTheExamples() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/v1/chat/completions", x -> {
            x.getRequestBody().readAllBytes();
            int n = calls.incrementAndGet();
            com.fasterxml.jackson.databind.node.ObjectNode answer = StrictJson.mapper().createObjectNode();
            var scores = answer.putObject("scores");
            for (var d : dev.prtelemetry.schemas.rubric.Rubric.load("debugging@1").dimensions()) {
                // a judge that agrees with the heuristic one on the best trace and is harsher on the others
                scores.putObject(d.id()).put("score", n == 2 ? 5 : 3).put("justification", "scripted").putArray("evidence").add("ev-0");
            }
            com.fasterxml.jackson.databind.node.ObjectNode c = StrictJson.mapper().createObjectNode();
            c.put("id", "c" + n).put("object", "chat.completion").put("created", 1).put("model", "m");
            var choice = c.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", answer.toString());
            byte[] body = c.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        try {
            var r = PrtRunner.run("qa", "agreement", "--judge", "heuristic", "--judge", "llm", "--base-url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "--model", "local", "--json",
                    EXAMPLES.resolve("auth-token-expiry/trace.json").toString(), EXAMPLES.resolve("cart-discount/trace.json").toString(),
                    EXAMPLES.resolve("dates-leap-day/trace.json").toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode report = StrictJson.parse(r.out());
            assertThat(report.get("judges")).hasSize(2);
            assertThat(report.get("alpha").isNumber()).isTrue();
            assertThat(report.get("alpha").asDouble()).isBetween(-1.0, 1.0);
            assertThat(report.at("/traces/1/dimensions/causal_linking/scores").size()).isEqualTo(2);
            assertThat(report.at("/traces/1/dimensions/causal_linking/spread").asDouble()).isZero(); // both gave 5
            assertThat(calls.get()).isEqualTo(3);
            var text = PrtRunner.run("qa", "agreement", "--judge", "heuristic", EXAMPLES.resolve("cart-discount/trace.json").toString());
            assertThat(text.exitCode()).isEqualTo(2);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void judgeScoresAnExampleWithTheHeuristicJudge() throws Exception {
        var r = PrtRunner.run("qa", "judge", "--json", EXAMPLES.resolve("cart-discount/trace.json").toString());
        assertThat(r.exitCode()).isZero();
        JsonNode j = StrictJson.parse(r.out());
        assertThat(j.get("judge").asText()).isEqualTo("heuristic-v1");
        assertThat(j.get("rubric").asText()).isEqualTo("debugging@1");
        assertThat(j.get("overall").asDouble()).isEqualTo(5.0);
        assertThat(j.at("/scores/causal_linking/evidence")).isNotEmpty();
    }
}
