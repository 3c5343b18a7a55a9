package dev.prtelemetry.localstack;

import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.flink.job.TraceAssemblyJob;
import dev.prtelemetry.schemas.stream.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The embedded single-machine stack: Kafka (KRaft), PostgreSQL, the S3 store, the gateway
 * (its own JVM) and the trace assembly on a Flink MiniCluster in this JVM. All data under
 * one folder; each piece can be swapped for an external one through {@code PRT_*} variables
 * ({@link StackConfig}), in which case it is not started here.
 */
public final class LocalStack implements AutoCloseable {
    private final StackConfig config;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private String gatewayUrl;
    private GatewayProcess gateway;
    private Map<String, String> gatewayEnv;
    private String kafkaBootstrap;
    private String jdbcUrl;
    private String s3Endpoint;

    private LocalStack(StackConfig config) {
        this.config = config;
    }

    public static LocalStack start(StackConfig config) throws Exception {
        LocalStack stack = new LocalStack(config);
        try {
            stack.startAll();
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Path data = Files.createDirectories(config.dataDir());
        long t0 = System.nanoTime();
        // The three stores are independent: start them side by side.
        CompletableFuture<EmbeddedKafka> kafka = config.externalKafka() != null ? null
                : CompletableFuture.supplyAsync(() -> unchecked(() ->
                        EmbeddedKafka.start(data.resolve("kafka"), config.kafkaPort(), config.kafkaControllerPort())));
        CompletableFuture<Database> db = config.externalJdbcUrl() != null ? null
                : CompletableFuture.supplyAsync(() -> unchecked(() -> Database.start(data.resolve("postgres"), config.postgresPort())));
        CompletableFuture<EmbeddedS3> s3 = config.externalS3Endpoint() != null ? null
                : CompletableFuture.supplyAsync(() -> unchecked(() -> EmbeddedS3.start(data.resolve("s3"), config.s3Port(),
                        config.s3AccessKey(), config.s3SecretKey(), config.s3Bucket())));
        kafkaBootstrap = kafka == null ? config.externalKafka() : remember(kafka.join()).bootstrapServers();
        jdbcUrl = db == null ? config.externalJdbcUrl() : remember(db.join()).jdbcUrl();
        s3Endpoint = s3 == null ? config.externalS3Endpoint() : remember(s3.join()).endpoint();
        say("stores up in %d ms: Kafka %s, PostgreSQL %s, S3 %s", (System.nanoTime() - t0) / 1_000_000,
                kafkaBootstrap, jdbcUrl, s3Endpoint);

        int applied = Database.migrate(jdbcUrl, config.jdbcUser(), config.jdbcPassword());
        EmbeddedKafka.ensureTopics(kafkaBootstrap, topics(config, (short) 1), Topics.configs(config.rawRetention(), config.retention()));
        say("schema migrations applied: %d; topics ready", applied);

        String researcherToken = secret(data.resolve("researcher.token"), config.researcherTokenOverride());
        String uploadSecret = secret(data.resolve("upload-token.secret"), null);

        gatewayEnv = gatewayEnv(config, kafkaBootstrap, jdbcUrl, s3Endpoint, researcherToken, uploadSecret);
        CompletableFuture<GatewayProcess> gateway = CompletableFuture.supplyAsync(() -> unchecked(() ->
                GatewayProcess.start(config.gatewayJar(), config.gatewayPort(), gatewayEnv,
                        data.resolve("logs").resolve("gateway.log"))));

        FlinkFileSystems.initialize(config.pluginsDir(), s3Endpoint, config.s3AccessKey(), config.s3SecretKey());
        JobConfig job = jobConfig();
        remember(startAssembly(job, data));
        this.gateway = remember(gateway.join());
        gatewayUrl = this.gateway.url();
        say("PR Telemetry is up in %.1f s: gateway %s, web console %s/console/, Flink UI http://127.0.0.1:%d/,"
                + " Flink metrics (Prometheus) http://127.0.0.1:%d/metrics", (System.nanoTime() - t0) / 1e9, gatewayUrl, gatewayUrl,
                config.flinkRestPort(), config.flinkMetricsPort());
    }

    JobConfig jobConfig() {
        return jobConfig(config, kafkaBootstrap, jdbcUrl, Map.of("PRT_CHECKPOINT_DIR",
                config.dataDir().resolve("checkpoints").toUri().toString()));
    }

    /** The job's settings: the deployment's {@code PRT_*}, the stores' addresses, and defaults for what is unset. */
    static JobConfig jobConfig(StackConfig config, String kafkaBootstrap, String jdbcUrl, Map<String, String> defaults) {
        Map<String, String> env = new HashMap<>(config.jobEnv());
        env.put("PRT_KAFKA_BOOTSTRAP", kafkaBootstrap);
        env.put("PRT_JDBC_URL", jdbcUrl);
        env.put("PRT_JDBC_USER", config.jdbcUser());
        env.put("PRT_JDBC_PASSWORD", config.jdbcPassword());
        env.putIfAbsent("PRT_DOCUMENTS_URI", "s3://" + config.s3Bucket());
        defaults.forEach(env::putIfAbsent);
        return JobConfig.fromEnv(env);
    }

    /** What a gateway instance is told: the stores' addresses, its secrets, and the deployment's privacy settings. */
    static Map<String, String> gatewayEnv(StackConfig config, String kafkaBootstrap, String jdbcUrl, String s3Endpoint,
                                          String researcherToken, String uploadSecret) {
        Map<String, String> env = new HashMap<>();
        env.put("PRT_KAFKA_BOOTSTRAP", kafkaBootstrap);
        env.put("PRT_JDBC_URL", jdbcUrl);
        env.put("PRT_JDBC_USER", config.jdbcUser());
        env.put("PRT_JDBC_PASSWORD", config.jdbcPassword());
        env.put("PRT_S3_ENDPOINT", s3Endpoint);
        env.put("PRT_S3_ACCESS_KEY", config.s3AccessKey());
        env.put("PRT_S3_SECRET_KEY", config.s3SecretKey());
        env.put("PRT_S3_BUCKET", config.s3Bucket());
        env.put("PRT_RESEARCHER_TOKEN", researcherToken);
        env.put("PRT_UPLOAD_TOKEN_SECRET", uploadSecret);
        // the deployment's privacy settings reach the gateway as they reach the job
        config.jobEnv().forEach((k, v) -> {
            if (k.startsWith("PRT_RETENTION") || k.startsWith("PRT_CONSENT_") || k.startsWith("PRT_DEPLOYMENT_CONSENT_")
                    || k.startsWith("PRT_REDACTION")
                    || k.equals("PRT_ARTIFACT_SCREEN")) {
                env.put(k, v);
            }
        });
        return env;
    }

    /** The stream topics, with {@code replicas} copies of each partition. */
    static List<NewTopic> topics(StackConfig config, short replicas) {
        return List.of(
                new NewTopic(Topics.TRACE_RECORDS, config.partitions(), replicas),
                new NewTopic(Topics.TRACES_ASSEMBLED, config.partitions(), replicas),
                new NewTopic(Topics.QA_RESULTS, config.partitions(), replicas),
                new NewTopic(Topics.METRICS, config.partitions(), replicas),
                new NewTopic(Topics.DEAD_LETTER, 1, replicas));
    }

    private AutoCloseable startAssembly(JobConfig job, Path data) throws Exception {
        Configuration conf = TraceAssemblyJob.flinkConfiguration(job);
        Path tmp = Files.createDirectories(data.resolve("flink-tmp"));
        conf.setString("io.tmp.dirs", tmp.toString());
        // twice the job's slots: the pipeline's, and room for a BATCH job (re-scoring) submitted beside it
        conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(2 * job.parallelism()));
        // the embedded cluster's REST endpoint, where ./prt rescore submits its job (and Flink's clients connect)
        conf.setString("rest.address", "127.0.0.1");
        conf.setString("rest.bind-address", "127.0.0.1");
        conf.setString("rest.port", String.valueOf(config.flinkRestPort()));
        conf.setString("rest.bind-port", String.valueOf(config.flinkRestPort()));
        // Flink's own metrics (operators, checkpoints, Kafka source lag) for Prometheus, beside the gateway's /metrics
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.host", "127.0.0.1");
        conf.setString("metrics.reporter.prom.port", String.valueOf(config.flinkMetricsPort()));
        StreamExecutionEnvironment env;
        if (config.flinkRest() != null) {
            // An external Flink cluster: ship the job jar to its JobManager; it keeps its own checkpoints.
            env = remoteEnvironment(config.flinkRest(), conf, config.flinkJobJar());
            say("trace assembly submitted to the Flink cluster at %s", config.flinkRest());
        } else {
            Optional<Path> checkpoint = latestCheckpoint(data.resolve("checkpoints"));
            if (checkpoint.isPresent()) {
                conf.setString("execution.state-recovery.path", checkpoint.get().toUri().toString());
                say("trace assembly resumes from %s", checkpoint.get());
            }
            env = StreamExecutionEnvironment.createLocalEnvironment(job.parallelism(), conf);
        }
        env.setMaxParallelism(128);
        TraceAssemblyJob.definePipeline(env, job, dev.prtelemetry.flink.qa.QaConfig.fromEnv(config.jobEnv(), job.documentsBaseUri()),
                config.jobEnv());
        JobClient client = env.executeAsync(TraceAssemblyJob.NAME);
        return () -> client.cancel().get();
    }

    /** An environment that submits to the Flink cluster whose REST endpoint is {@code hostPort}, shipping {@code jobJar}. */
    static StreamExecutionEnvironment remoteEnvironment(String hostPort, Configuration conf, Path jobJar) {
        if (!Files.isRegularFile(jobJar)) {
            throw new IllegalStateException("no job jar at " + jobJar + " (mvn -pl flink-jobs package builds it)");
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("PRT_FLINK_REST is host:port of the JobManager's REST endpoint, not " + hostPort);
        }
        return StreamExecutionEnvironment.createRemoteEnvironment(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)), conf, jobJar.toString());
    }

    static Optional<Path> latestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(dir, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified()));
        }
    }

    /** A random secret kept in a mode-600 file, made once and reused across restarts. */
    static String secret(Path file, String override) throws IOException {
        if (override != null && !override.isBlank()) {
            return override;
        }
        if (Files.isRegularFile(file)) {
            return Files.readString(file).strip();
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String value = HexFormat.of().formatHex(bytes);
        Files.writeString(file, value + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX filesystem: nothing stricter to set
        }
        return value;
    }

    /** Stops the gateway process (clients see the server go away; the stores and the job keep running). */
    public void stopGateway() throws InterruptedException {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }

    /** Starts the gateway again on its port, after {@link #stopGateway()}. */
    public void startGateway() throws Exception {
        if (gateway == null) {
            gateway = remember(GatewayProcess.start(config.gatewayJar(), config.gatewayPort(), gatewayEnv,
                    config.dataDir().resolve("logs").resolve("gateway.log")));
        }
    }

    /** What this stack's gateway was told (stores, secrets, privacy settings): to start another gateway beside it. */
    public Map<String, String> gatewayEnv() {
        return Map.copyOf(gatewayEnv);
    }

    public String gatewayUrl() {
        return gatewayUrl;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String s3Endpoint() {
        return s3Endpoint;
    }

    /** The REST endpoint (host:port) of the Flink cluster running the pipeline: the embedded one, or PRT_FLINK_REST. */
    public String flinkRest() {
        return flinkRest(config);
    }

    static String flinkRest(StackConfig config) {
        return config.flinkRest() != null ? config.flinkRest() : "127.0.0.1:" + config.flinkRestPort();
    }

    private <T extends AutoCloseable> T remember(T closeable) {
        started.push(closeable);
        return closeable;
    }

    private static void say(String format, Object... args) {
        System.out.println("prt: " + String.format(format, args));
    }

    /** Stops everything this stack started, newest first. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("prt: stopping " + c.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    static <T> T unchecked(ThrowingSupplier<T> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
