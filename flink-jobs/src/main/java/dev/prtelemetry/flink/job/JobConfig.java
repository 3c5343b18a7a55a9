package dev.prtelemetry.flink.job;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * Where the trace assembly reads and writes, all replaceable: the embedded stack passes
 * its own addresses, a cluster passes external ones (environment variables {@code PRT_*}).
 *
 * @param documentsBaseUri where assembled documents go: {@code s3://bucket} (through Flink's
 *                         S3 filesystem plugin) or {@code file:///…}
 */
public record JobConfig(
        String kafkaBootstrapServers,
        String consumerGroup,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        String documentsBaseUri,
        String checkpointDir,
        Duration checkpointInterval,
        int parallelism,
        Duration gapTimeout,
        Duration idleTimeout,
        Duration stateTtl,
        int jdbcBatchSize,
        Duration jdbcBatchInterval,
        dev.prtelemetry.flink.assembly.RedactionSettings redaction) implements Serializable {

    public JobConfig {
        require(kafkaBootstrapServers, "kafka bootstrap servers (PRT_KAFKA_BOOTSTRAP)");
        require(jdbcUrl, "JDBC URL (PRT_JDBC_URL)");
        require(documentsBaseUri, "documents base URI (PRT_DOCUMENTS_URI), e.g. s3://prt or file:///var/prt");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
    }

    /** From {@code PRT_*} variables (or any map with those keys), with defaults for the optional ones. */
    public static JobConfig fromEnv(Map<String, String> env) {
        return new JobConfig(
                env.get("PRT_KAFKA_BOOTSTRAP"),
                env.getOrDefault("PRT_CONSUMER_GROUP", "prt-trace-assembly"),
                env.get("PRT_JDBC_URL"),
                env.getOrDefault("PRT_JDBC_USER", "prt"),
                env.getOrDefault("PRT_JDBC_PASSWORD", ""),
                env.get("PRT_DOCUMENTS_URI"),
                env.get("PRT_CHECKPOINT_DIR"),
                Duration.ofMillis(Long.parseLong(env.getOrDefault("PRT_CHECKPOINT_INTERVAL_MS", "10000"))),
                Integer.parseInt(env.getOrDefault("PRT_PARALLELISM", "2")),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PRT_GAP_TIMEOUT_S", "120"))),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PRT_IDLE_TIMEOUT_S", "21600"))),
                Duration.ofDays(Long.parseLong(env.getOrDefault("PRT_STATE_TTL_DAYS", "7"))),
                Integer.parseInt(env.getOrDefault("PRT_JDBC_BATCH_SIZE", "500")),
                Duration.ofMillis(Long.parseLong(env.getOrDefault("PRT_JDBC_BATCH_INTERVAL_MS", "200"))),
                dev.prtelemetry.flink.assembly.RedactionSettings.fromEnv(env));
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the trace assembly needs a " + what);
        }
    }
}
