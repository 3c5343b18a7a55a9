package dev.prtelemetry.qa.judging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LLM judge against a local HTTP server that speaks the chat-completions protocol and
 * answers from a script (no model is reachable here): what is sent, and how each kind of
 * answer is handled.
 */
class LlmJudgeTest {
    static final Rubric RUBRIC = Rubric.load("debugging@1");
    static final JsonNode TRACE = load();
    HttpServer server;
    final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    final Deque<Object[]> script = new ArrayDeque<>(); // {status, body, delayMs (-1: never)}
    final java.util.concurrent.CountDownLatch testEnded = new java.util.concurrent.CountDownLatch(1);

    static JsonNode load() {
        try {
            return StrictJson.parse(Files.readAllBytes(Path.of("../examples/cart-discount/trace.json")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        testEnded.countDown();
        server.stop(0);
    }

    void handle(HttpExchange x) throws IOException {
        requests.add(StrictJson.parse(x.getRequestBody().readAllBytes()));
        Object[] next = script.poll();
        if (next == null) {
            next = new Object[] {500, "{\"error\":{\"message\":\"script exhausted\"}}", 0L};
        }
        try {
            long delay = (Long) next[2];
            if (delay < 0) {
                testEnded.await(); // never answers while the test looks
            } else {
                Thread.sleep(delay);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = ((String) next[1]).getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        if ((Integer) next[0] == 429) {
            x.getResponseHeaders().add("retry-after-ms", "10");
        }
        try {
            x.sendResponseHeaders((Integer) next[0], body.length);
            x.getResponseBody().write(body);
        } catch (IOException e) {
            // the client gave up (timeout)
        }
        x.close();
    }

    LlmJudge judge(Duration timeout, int httpRetries) {
        return new LlmJudge(new LlmJudge.Config("http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "test-model",
                "sk-test", timeout, httpRetries, 2, 6000));
    }

    static String completion(String content) {
        ObjectNode c = StrictJson.mapper().createObjectNode();
        c.put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1_795_000_000L).put("model", "test-model");
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop").putNull("logprobs");
        choice.putObject("message").put("role", "assistant").put("content", content).putNull("refusal");
        c.putObject("usage").put("prompt_tokens", 1200).put("completion_tokens", 300).put("total_tokens", 1500);
        return c.toString();
    }

    static String answer(int score, String evidence) {
        ObjectNode a = StrictJson.mapper().createObjectNode();
        ObjectNode s = a.putObject("scores");
        int i = 0;
        for (Rubric.Dimension d : RUBRIC.dimensions()) {
            s.putObject(d.id()).put("score", i++ == 0 ? score : 4).put("justification", "because " + d.id())
                    .putArray("evidence").add(evidence);
        }
        return a.toString();
    }

    void reply(String content) {
        script.add(new Object[] {200, completion(content), 0L});
    }

    @Test
    void sendsTheModelTheRubricTheTraceAndTheAnswerSchemaAtTemperatureZero() {
        reply(answer(5, "ev-3"));
        Judgement j = judge(Duration.ofSeconds(10), 0).judge(TRACE, RUBRIC);
        assertThat(j.error()).isNull();
        JsonNode req = requests.get(0);
        assertThat(req.get("model").asText()).isEqualTo("test-model");
        assertThat(req.get("temperature").asDouble()).isZero();
        assertThat(req.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(req.at("/messages/0/content").asText()).contains("debugging@1").contains("causal_linking").contains("0-5");
        assertThat(req.at("/messages/1/role").asText()).isEqualTo("user");
        assertThat(req.at("/messages/1/content").asText()).contains("[ev-0] note/plan").contains("[ev-2] test_run pytest");
        assertThat(req.at("/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(req.at("/response_format/json_schema/strict").asBoolean()).isTrue();
        JsonNode schema = req.at("/response_format/json_schema/schema");
        assertThat(schema).isEqualTo(LlmJudge.answerSchema(RUBRIC));
        assertThat(schema.at("/properties/scores/required")).hasSize(6);
        assertThat(schema.at("/properties/scores/properties/efficiency/properties/score/maximum").asInt()).isEqualTo(5);
    }

    @Test
    void aGoodAnswerGivesScoresAndTheOverallFromTheWeights() {
        reply(answer(5, "ev-3"));
        Judgement j = judge(Duration.ofSeconds(10), 0).judge(TRACE, RUBRIC);
        assertThat(j.scores()).hasSize(6);
        assertThat(j.scores().get("problem_understanding").score()).isEqualTo(5);
        assertThat(j.scores().get("problem_understanding").evidence()).containsExactly("ev-3");
        assertThat(j.overall()).isEqualTo(Math.round((0.20 * 5 + 0.80 * 4) * 1000) / 1000.0);
        assertThat(j.usage()).isEqualTo(new Judgement.Usage(1200, 300, 1));
        LlmJudge priced = new LlmJudge(new LlmJudge.Config("http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "test-model",
                "sk-test", Duration.ofSeconds(10), 0, 2, 6000).withPrices(0.15, 0.60));
        reply(answer(5, "ev-3"));
        assertThat(priced.judge(TRACE, RUBRIC).usage().costUsd()).isEqualTo((1200 * 0.15 + 300 * 0.60) / 1e6);
        assertThat(j.judge()).isEqualTo("llm:test-model:prompt-v1:render-v1");
    }

    @Test
    void malformedJsonIsAskedForAgainThenAccepted() {
        reply("Sure! Here are the scores: {scores: …");
        reply(answer(3, "ev-1"));
        Judgement j = judge(Duration.ofSeconds(10), 0).judge(TRACE, RUBRIC);
        assertThat(j.error()).isNull();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).get("messages").toString()).contains("not valid JSON");
        assertThat(j.usage().calls()).isEqualTo(2);
    }

    @Test
    void aScoreOutOfRangeAlwaysBecomesAJudgeError() {
        reply(answer(7, "ev-1"));
        reply(answer(7, "ev-1"));
        reply(answer(9, "ev-1"));
        Judgement j = judge(Duration.ofSeconds(10), 0).judge(TRACE, RUBRIC);
        assertThat(j.overall()).isNull();
        assertThat(j.scores()).isEmpty();
        assertThat(j.error()).contains("problem_understanding.score must be an integer 0-5").contains("3 calls");
    }

    @Test
    void aCitedIdTheTraceDoesNotHaveIsRefused() {
        reply(answer(4, "ev-999"));
        reply(answer(4, "ev-4"));
        Judgement j = judge(Duration.ofSeconds(10), 0).judge(TRACE, RUBRIC);
        assertThat(j.error()).isNull();
        assertThat(requests.get(1).get("messages").toString()).contains("ev-999, which is not an event of this trace");
    }

    @Test
    void a429IsRetriedWithBackoffThenSucceeds() {
        script.add(new Object[] {429, "{\"error\":{\"message\":\"rate limited\",\"type\":\"requests\"}}", 0L});
        reply(answer(2, "ev-2"));
        Judgement j = judge(Duration.ofSeconds(10), 2).judge(TRACE, RUBRIC);
        assertThat(j.error()).isNull();
        assertThat(requests).hasSize(2);
        assertThat(j.scores().get("problem_understanding").score()).isEqualTo(2);
    }

    @Test
    void aCallThatTimesOutIsAJudgeError() {
        script.add(new Object[] {200, completion(answer(5, "ev-1")), -1L}); // the server never answers
        Judgement j = judge(Duration.ofMillis(800), 0).judge(TRACE, RUBRIC);
        assertThat(j.error()).contains("model call failed").containsIgnoringCase("time");
    }
}
