package dev.prtelemetry.flink.qa;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * The QA pipeline's settings ({@code PRT_QA_*}): whether it runs, sandbox threads per task,
 * the operator's capacity and timeout, the per-test-run limit, where artifacts are; the judges
 * ({@code PRT_QA_JUDGES}, comma-separated: heuristic, llm — the LLM one configured by
 * {@code PRT_LLM_BASE_URL}, {@code PRT_LLM_MODEL} and the key in the variable
 * {@code PRT_LLM_API_KEY_ENV} names) and rubrics ({@code PRT_QA_RUBRICS}) every complete trace gets.
 */
public record QaConfig(boolean enabled, String consumerGroup, int threads, int capacity, Duration asyncTimeout,
                       Duration testTimeout, String artifactsBaseUri, java.util.List<String> judges,
                       java.util.List<String> rubrics, int judgeThreads, String llmApiKeyEnv) implements Serializable {
    public static QaConfig fromEnv(Map<String, String> env, String documentsBaseUri) {
        return new QaConfig(!"false".equals(env.getOrDefault("PRT_QA_ENABLED", "true")),
                env.getOrDefault("PRT_QA_CONSUMER_GROUP", "prt-qa"),
                Integer.parseInt(env.getOrDefault("PRT_QA_THREADS", "1")),
                Integer.parseInt(env.getOrDefault("PRT_QA_CAPACITY", "16")),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PRT_QA_ASYNC_TIMEOUT_S", "1800"))),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PRT_QA_TEST_TIMEOUT_S", "120"))),
                env.getOrDefault("PRT_ARTIFACTS_URI", documentsBaseUri),
                list(env.getOrDefault("PRT_QA_JUDGES", "heuristic")),
                list(env.getOrDefault("PRT_QA_RUBRICS", "debugging@1")),
                Integer.parseInt(env.getOrDefault("PRT_QA_JUDGE_THREADS", "2")),
                env.getOrDefault("PRT_LLM_API_KEY_ENV", "OPENAI_API_KEY"));
    }

    static java.util.List<String> list(String csv) {
        return java.util.Arrays.stream(csv.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }
}
