package dev.prtelemetry.flink.qa;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * The QA pipeline's settings ({@code PRT_QA_*}): whether it runs, sandbox threads per task,
 * the operator's capacity and timeout, the per-test-run limit, where artifacts are.
 */
public record QaConfig(boolean enabled, String consumerGroup, int threads, int capacity, Duration asyncTimeout,
                       Duration testTimeout, String artifactsBaseUri) implements Serializable {
    public static QaConfig fromEnv(Map<String, String> env, String documentsBaseUri) {
        return new QaConfig(!"false".equals(env.getOrDefault("PRT_QA_ENABLED", "true")),
                env.getOrDefault("PRT_QA_CONSUMER_GROUP", "prt-qa"),
                Integer.parseInt(env.getOrDefault("PRT_QA_THREADS", "1")),
                Integer.parseInt(env.getOrDefault("PRT_QA_CAPACITY", "16")),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PRT_QA_ASYNC_TIMEOUT_S", "1800"))),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PRT_QA_TEST_TIMEOUT_S", "120"))),
                env.getOrDefault("PRT_ARTIFACTS_URI", documentsBaseUri));
    }
}
