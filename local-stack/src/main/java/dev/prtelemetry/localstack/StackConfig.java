package dev.prtelemetry.localstack;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the local stack keeps its data and which ports it takes; and, through
 * {@code PRT_KAFKA_BOOTSTRAP}, {@code PRT_JDBC_URL} or {@code PRT_S3_ENDPOINT}, which pieces
 * are external (then not started here).
 */
public record StackConfig(
        Path dataDir,
        Path repoRoot,
        int kafkaPort,
        int kafkaControllerPort,
        int postgresPort,
        int s3Port,
        int gatewayPort,
        int flinkRestPort,
        int partitions,
        String externalKafka,
        String externalJdbcUrl,
        String externalS3Endpoint,
        String flinkRest,
        String jdbcUser,
        String jdbcPassword,
        String s3AccessKey,
        String s3SecretKey,
        String s3Bucket,
        String researcherTokenOverride,
        Map<String, String> jobEnv) {

    public static StackConfig fromEnv(Path dataDir, Path repoRoot, Map<String, String> env) {
        Map<String, String> job = new HashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("PRT_")) {
                job.put(k, v);
            }
        });
        String externalJdbc = env.get("PRT_JDBC_URL");
        return new StackConfig(dataDir, repoRoot,
                port(env, "PRT_KAFKA_PORT", 19092), port(env, "PRT_KAFKA_CONTROLLER_PORT", 19093),
                port(env, "PRT_POSTGRES_PORT", 15432), port(env, "PRT_S3_PORT", 19000), port(env, "PRT_GATEWAY_PORT", 8000),
                port(env, "PRT_FLINK_REST_PORT", 18081),
                Integer.parseInt(env.getOrDefault("PRT_PARTITIONS", "4")),
                env.get("PRT_KAFKA_BOOTSTRAP"), externalJdbc, env.get("PRT_S3_ENDPOINT"), env.get("PRT_FLINK_REST"),
                env.getOrDefault("PRT_JDBC_USER", "postgres"), env.getOrDefault("PRT_JDBC_PASSWORD", "postgres"),
                env.getOrDefault("PRT_S3_ACCESS_KEY", "local-access"), env.getOrDefault("PRT_S3_SECRET_KEY", "local-secret"),
                env.getOrDefault("PRT_S3_BUCKET", "prt"), env.get("PRT_RESEARCHER_TOKEN"), job);
    }

    /** How long a trace is kept ({@code PRT_RETENTION}, default 90d); the gateway's sweep enforces it. */
    java.time.Duration retention() {
        return dev.prtelemetry.schemas.stream.Topics.parseDuration(jobEnv.getOrDefault("PRT_RETENTION", "90d"));
    }

    /** How long the raw records topic keeps records ({@code PRT_RAW_RETENTION}, default 7d): as long as a replay needs them. */
    java.time.Duration rawRetention() {
        return dev.prtelemetry.schemas.stream.Topics.parseDuration(jobEnv.getOrDefault("PRT_RAW_RETENTION", "7d"));
    }

    /** Where Flink's Prometheus reporter serves the job's metrics ({@code PRT_FLINK_METRICS_PORT}, default 19249). */
    int flinkMetricsPort() {
        return port(jobEnv, "PRT_FLINK_METRICS_PORT", 19249);
    }

    Path gatewayJar() {
        return repoRoot.resolve("ingest-gateway/target/prt-gateway.jar");
    }

    /** The job jar shipped to an external Flink cluster ({@code PRT_FLINK_JOB_JAR} overrides). */
    Path flinkJobJar() {
        String override = jobEnv.get("PRT_FLINK_JOB_JAR");
        return override != null ? Path.of(override) : repoRoot.resolve("flink-jobs/target/prt-flink-jobs.jar");
    }

    Path pluginsDir() {
        return repoRoot.resolve("local-stack/target/plugins");
    }

    private static int port(Map<String, String> env, String key, int def) {
        return Integer.parseInt(env.getOrDefault(key, String.valueOf(def)));
    }
}
