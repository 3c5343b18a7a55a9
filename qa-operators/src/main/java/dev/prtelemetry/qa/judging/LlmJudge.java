package dev.prtelemetry.qa.judging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.OpenAIException;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rubric judge on any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama,
 * llama.cpp) through openai-java: temperature 0, the trace rendered by {@link TraceRendering},
 * a structured answer against a JSON schema (per dimension: score 0–5, justification, cited
 * event ids). An answer that is not that JSON, scores out of range or cites ids the trace does
 * not have is asked for again (up to {@code answerRetries} times, telling the model what was
 * wrong), then recorded as a judge error. 429 and 5xx are retried by the client with backoff;
 * calls time out. Tokens are counted per call. The overall score is computed from the weights.
 */
public final class LlmJudge implements Judge {
    public static final String PROMPT_VERSION = "prompt-v1";

    /**
     * Where and how to call; prices (USD per million prompt / completion tokens) are optional and
     * only turn token counts into a cost.
     */
    public record Config(String baseUrl, String model, String apiKey, Duration timeout, int httpRetries, int answerRetries,
                         int maxTraceTokens, Double promptPricePerMillion, Double completionPricePerMillion) {
        public Config(String baseUrl, String model, String apiKey, Duration timeout, int httpRetries, int answerRetries,
                      int maxTraceTokens) {
            this(baseUrl, model, apiKey, timeout, httpRetries, answerRetries, maxTraceTokens, null, null);
        }

        public static Config of(String baseUrl, String model, String apiKey) {
            return new Config(baseUrl, model, apiKey, Duration.ofSeconds(120), 3, 2, 6000);
        }

        public Config withPrices(Double promptPerMillion, Double completionPerMillion) {
            return new Config(baseUrl, model, apiKey, timeout, httpRetries, answerRetries, maxTraceTokens, promptPerMillion,
                    completionPerMillion);
        }
    }

    private final Config config;
    private final OpenAIClient client;

    public LlmJudge(Config config) {
        this.config = config;
        this.client = OpenAIOkHttpClient.builder().baseUrl(config.baseUrl())
                .apiKey(config.apiKey() == null || config.apiKey().isBlank() ? "none" : config.apiKey())
                .timeout(config.timeout()).maxRetries(config.httpRetries()).build();
    }

    @Override
    public String id() {
        return "llm:" + config.model() + ":" + PROMPT_VERSION + ":" + TraceRendering.VERSION;
    }

    @Override
    public Judgement judge(JsonNode trace, Rubric rubric) {
        Set<String> ids = new HashSet<>();
        trace.path("events").forEach(e -> ids.add(e.path("id").asText()));
        String rendering = TraceRendering.render(trace, config.maxTraceTokens());
        long prompt = 0;
        long completion = 0;
        int calls = 0;
        List<String> problems = List.of();
        String previous = null;
        for (int attempt = 0; attempt <= config.answerRetries(); attempt++) {
            ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                    .model(config.model())
                    .temperature(0.0)
                    .addSystemMessage(systemPrompt(rubric))
                    .addUserMessage(rendering)
                    .responseFormat(responseFormat(rubric));
            if (previous != null) {
                params.addAssistantMessage(previous);
                params.addUserMessage("That answer cannot be used: " + String.join("; ", problems)
                        + ". Answer again with the JSON object only, following the schema.");
            }
            ChatCompletion result;
            try {
                calls++;
                result = client.chat().completions().create(params.build());
            } catch (OpenAIException | IllegalStateException e) {
                return Judgement.failed(id(), rubric, "the model call failed: " + describe(e),
                        usage(prompt, completion, calls));
            }
            if (result.usage().isPresent()) {
                prompt += result.usage().get().promptTokens();
                completion += result.usage().get().completionTokens();
            }
            String content = result.choices().isEmpty() ? "" : result.choices().get(0).message().content().orElse("");
            Map<String, Judgement.Score> scores = new LinkedHashMap<>();
            problems = check(content, rubric, ids, scores);
            if (problems.isEmpty()) {
                return Judgement.of(id(), rubric, scores, usage(prompt, completion, calls));
            }
            previous = content;
        }
        return Judgement.failed(id(), rubric, "no usable answer after " + calls + " calls: " + String.join("; ", problems),
                usage(prompt, completion, calls));
    }

    Judgement.Usage usage(long prompt, long completion, int calls) {
        Double cost = config.promptPricePerMillion() == null || config.completionPricePerMillion() == null ? null
                : Math.round((prompt * config.promptPricePerMillion() + completion * config.completionPricePerMillion()) / 1e6 * 1e6) / 1e6;
        return new Judgement.Usage(prompt, completion, calls, cost);
    }

    static String describe(Exception e) {
        boolean timedOut = false;
        Throwable root = e;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            timedOut |= c instanceof java.io.InterruptedIOException || String.valueOf(c.getMessage()).toLowerCase().contains("timeout")
                    || c.getClass().getSimpleName().contains("Timeout");
            root = c;
        }
        String what = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + (root != e ? " (" + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")" : "");
        return timedOut ? "timed out after " + "the configured timeout: " + what : what;
    }

    /** The answer's problems (empty when usable); fills {@code out} with the scores. */
    static List<String> check(String content, Rubric rubric, Set<String> ids, Map<String, Judgement.Score> out) {
        List<String> problems = new ArrayList<>();
        JsonNode answer;
        try {
            answer = StrictJson.parse(content.strip());
        } catch (RuntimeException e) {
            return List.of("it is not valid JSON (" + e.getMessage() + ")");
        }
        JsonNode scores = answer.path("scores");
        for (Rubric.Dimension d : rubric.dimensions()) {
            JsonNode s = scores.path(d.id());
            if (!s.isObject()) {
                problems.add("no score for " + d.id());
                continue;
            }
            JsonNode score = s.path("score");
            if (!score.isIntegralNumber() || score.asInt() < 0 || score.asInt() > 5) {
                problems.add(d.id() + ".score must be an integer 0-5, was " + score);
                continue;
            }
            List<String> evidence = new ArrayList<>();
            for (JsonNode e : s.path("evidence")) {
                if (!ids.contains(e.asText())) {
                    problems.add(d.id() + " cites " + e.asText() + ", which is not an event of this trace");
                }
                evidence.add(e.asText());
            }
            out.put(d.id(), new Judgement.Score(score.asInt(), s.path("justification").asText(""), List.copyOf(evidence)));
        }
        return problems;
    }

    static String systemPrompt(Rubric rubric) {
        StringBuilder b = new StringBuilder();
        b.append("You assess how well a developer debugged, from a recorded session: notes (plan, hypothesis, observation, ")
                .append("decision, next step), commands, test runs, edits and commits, each with an event id in brackets. ")
                .append("Score the process, not only the outcome: a failed attempt with careful reasoning can score well.\n")
                .append("Rubric ").append(rubric.key()).append(" — for each dimension give an integer score 0-5, a short ")
                .append("justification, and the ids of the events your score rests on (only ids that appear in the session).\n");
        for (Rubric.Dimension d : rubric.dimensions()) {
            b.append("\n").append(d.id()).append(" (").append(d.name()).append("): ").append(d.description()).append('\n');
            d.levels().forEach((k, v) -> b.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        b.append("\nAnswer with one JSON object: {\"scores\": {<dimension id>: {\"score\": int, \"justification\": str, ")
                .append("\"evidence\": [event ids]}}}. No overall score: it is computed from the rubric's weights.");
        return b.toString();
    }

    /** The JSON schema the answer must follow (strict: every dimension, nothing else). */
    public static ObjectNode answerSchema(Rubric rubric) {
        ObjectNode root = StrictJson.mapper().createObjectNode();
        root.put("type", "object");
        root.put("additionalProperties", false);
        root.putArray("required").add("scores");
        ObjectNode scores = root.putObject("properties").putObject("scores");
        scores.put("type", "object");
        scores.put("additionalProperties", false);
        ArrayNode required = scores.putArray("required");
        ObjectNode props = scores.putObject("properties");
        for (Rubric.Dimension d : rubric.dimensions()) {
            required.add(d.id());
            ObjectNode dim = props.putObject(d.id());
            dim.put("type", "object");
            dim.put("additionalProperties", false);
            dim.putArray("required").add("score").add("justification").add("evidence");
            ObjectNode p = dim.putObject("properties");
            p.putObject("score").put("type", "integer").put("minimum", 0).put("maximum", 5);
            p.putObject("justification").put("type", "string");
            p.putObject("evidence").put("type", "array").putObject("items").put("type", "string");
        }
        return root;
    }

    static ResponseFormatJsonSchema responseFormat(Rubric rubric) {
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        answerSchema(rubric).fields().forEachRemaining(e -> schema.putAdditionalProperty(e.getKey(),
                JsonValue.from(StrictJson.mapper().convertValue(e.getValue(), Object.class))));
        return ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                .name("rubric_scores").strict(true).schema(schema.build()).build()).build();
    }
}
