package dev.prtelemetry.localstack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.flink.job.TraceAssemblyJob;
import dev.prtelemetry.flink.qa.QaConfig;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import kafka.tools.StorageTool;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * {@code ./prt up --cluster}: the same jars as the embedded stack, every part its own process on
 * this machine — three Kafka nodes in KRaft combined mode (replication factor 3,
 * {@code min.insync.replicas=2}), a Flink standalone session cluster (a JobManager and two
 * TaskManagers, each a JVM started the way Flink's scripts start it, memory computed by Flink's
 * {@code BashJavaUtils}), the S3 store, PostgreSQL, two gateway instances behind one port — and
 * the trace assembly submitted to the JobManager over REST with parallelism 4, checkpointing to
 * the S3 store. This process supervises the others: one that dies is started again.
 */
public final class ClusterStack implements AutoCloseable {
    static final int KAFKA_NODES = 3;
    static final int TASK_MANAGERS = 2;
    static final String STATE_FILE = "cluster.json";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Every port the cluster takes (all below 32768, so none collides with the kernel's ephemeral range). */
    record Ports(List<Integer> kafka, List<Integer> kafkaControllers, int postgres, int s3, int gateway,
                 List<Integer> gateways, int flinkRest, int flinkRpc, int flinkBlob, String flinkTaskManagerRpc,
                 int flinkDataBase, String flinkQueryService, String flinkMetrics) {
        static Ports from(StackConfig config, Map<String, String> env) {
            int kafka = config.kafkaPort();
            List<Integer> gateways = Arrays.stream(env.getOrDefault("PRT_GATEWAY_PORTS",
                    (config.gatewayPort() + 1) + "," + (config.gatewayPort() + 2)).split(",")).map(String::strip)
                    .map(Integer::parseInt).toList();
            int rpc = Integer.parseInt(env.getOrDefault("PRT_FLINK_RPC_PORT", "16123"));
            return new Ports(IntStream.range(0, KAFKA_NODES).mapToObj(i -> kafka + 2 * i).toList(),
                    IntStream.range(0, KAFKA_NODES).mapToObj(i -> kafka + 2 * i + 1).toList(),
                    config.postgresPort(), config.s3Port(), config.gatewayPort(), gateways, config.flinkRestPort(), rpc, rpc + 1,
                    (rpc + 10) + "-" + (rpc + 19), rpc + 20, (rpc + 30) + "-" + (rpc + 39),
                    config.flinkMetricsPort() + "-" + (config.flinkMetricsPort() + 9));
        }

        List<Integer> all() {
            List<Integer> all = new ArrayList<>(kafka);
            all.addAll(kafkaControllers);
            all.addAll(List.of(postgres, s3, gateway, flinkRest, flinkRpc, flinkBlob));
            all.addAll(gateways);
            return all;
        }
    }

    private final StackConfig config;
    private final Ports ports;
    private final Path dir;
    private final Map<String, Supervised> processes = new LinkedHashMap<>();
    private final List<String> javaOptions;
    private ScheduledExecutorService supervisor;
    private Database database;
    private TcpBalancer balancer;
    private JobClient job;
    private String kafkaBootstrap;
    private String jdbcUrl;
    private String s3Endpoint;

    private ClusterStack(StackConfig config, Map<String, String> env) {
        this.config = config;
        this.ports = Ports.from(config, env);
        this.dir = config.dataDir().resolve("cluster");
        this.javaOptions = List.of("--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "-Djava.io.tmpdir=" + dir.resolve("tmp"));
    }

    public static ClusterStack start(StackConfig config, Map<String, String> env) throws Exception {
        ClusterStack stack = new ClusterStack(config, env);
        try {
            stack.startAll();
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        for (int p : ports.all()) {
            if (p <= 0 || p >= 32768) {
                throw new IllegalArgumentException("port " + p + " is outside 1..32767; the cluster keeps its ports below the"
                        + " kernel's ephemeral range");
            }
        }
        long t0 = System.nanoTime();
        Files.createDirectories(dir.resolve("tmp"));
        Path logs = Files.createDirectories(config.dataDir().resolve("logs"));
        Path log4j = writeLog4j();
        // the processes run this JVM's classpath (a test runner's booter jar hides it: prt.stack.classpath names it then)
        String stackClasspath = System.getProperty("prt.stack.classpath", System.getProperty("java.class.path"));

        // Kafka: three nodes, each formatted once with one cluster id, then its own JVM
        String clusterId = clusterId();
        String voters = IntStream.range(0, KAFKA_NODES)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + ports.kafkaControllers().get(i)).collect(Collectors.joining(","));
        for (int i = 0; i < KAFKA_NODES; i++) {
            Path properties = kafkaNode(i, voters, clusterId);
            add(new Supervised("kafka-" + (i + 1), java(List.of("-Xms384m", "-Xmx384m", "-XX:+UseSerialGC",
                    "-Dlog4j2.configurationFile=" + log4j.toUri()), stackClasspath, "kafka.Kafka", List.of(properties.toString())),
                    Map.of(), logs.resolve("kafka-" + (i + 1) + ".log"), null, ports.kafka().get(i)));
        }
        add(new Supervised("s3", java(List.of("-Xmx256m", "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + log4j.toUri()),
                stackClasspath, S3Main.class.getName(), List.of(String.valueOf(ports.s3()),
                        config.dataDir().resolve("s3").toString(), config.s3Bucket())),
                Map.of("PRT_S3_ACCESS_KEY", config.s3AccessKey(), "PRT_S3_SECRET_KEY", config.s3SecretKey()),
                logs.resolve("s3.log"), null, ports.s3()));
        for (String name : List.of("kafka-1", "kafka-2", "kafka-3", "s3")) {
            processes.get(name).start();
        }
        database = Database.start(config.dataDir().resolve("postgres"), ports.postgres());
        jdbcUrl = database.jdbcUrl();
        s3Endpoint = "http://127.0.0.1:" + ports.s3();
        kafkaBootstrap = ports.kafka().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        for (String name : List.of("kafka-1", "kafka-2", "kafka-3", "s3")) {
            processes.get(name).awaitHealthy(Duration.ofSeconds(90));
        }
        awaitBrokers(Duration.ofSeconds(90));
        say("stores up in %d ms: Kafka %s (3 nodes), PostgreSQL %s, S3 %s", (System.nanoTime() - t0) / 1_000_000,
                kafkaBootstrap, jdbcUrl, s3Endpoint);
        int applied = Database.migrate(jdbcUrl, config.jdbcUser(), config.jdbcPassword());
        Map<String, Map<String, String>> topicConfigs = new HashMap<>(Topics.configs(config.rawRetention(), config.retention()));
        EmbeddedKafka.ensureTopics(kafkaBootstrap, LocalStack.topics(config, (short) KAFKA_NODES), topicConfigs);
        say("schema migrations applied: %d; topics ready (3 replicas, min.insync.replicas=2)", applied);

        // Flink: a standalone session cluster
        Path conf = writeFlinkConf(log4j);
        String flinkClasspath = flinkClasspath(stackClasspath);
        Map<String, String> flinkEnv = Map.of("FLINK_PLUGINS_DIR", config.pluginsDir().toString(), "FLINK_CONF_DIR", conf.toString());
        String[] jm = bashJavaUtils("GET_JM_RESOURCE_PARAMS", conf, flinkClasspath);
        add(new Supervised("flink-jobmanager", java(flinkJvm(jm[0], log4j), flinkClasspath,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", concat(List.of("--configDir", conf.toString()),
                        dynamic(jm[1]))), flinkEnv, logs.resolve("flink-jobmanager.log"),
                "http://127.0.0.1:" + ports.flinkRest() + "/overview", ports.flinkRest()));
        processes.get("flink-jobmanager").start();
        String[] tm = bashJavaUtils("GET_TM_RESOURCE_PARAMS", conf, flinkClasspath);
        for (int i = 0; i < TASK_MANAGERS; i++) {
            List<String> jvm = new ArrayList<>(flinkJvm(tm[0], log4j));
            // the S3 client's transport MD5 (FlinkFileSystems#disableTransportMd5), as env.java.opts.taskmanager would set it
            jvm.add("-Dcom.amazonaws.services.s3.disablePutObjectMD5Validation=true");
            jvm.add("-Dcom.amazonaws.services.s3.disableGetObjectMD5Validation=true");
            add(new Supervised("flink-taskmanager-" + (i + 1), java(jvm, flinkClasspath,
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", concat(List.of("--configDir", conf.toString(),
                            "-D", "taskmanager.data.port=" + (ports.flinkDataBase() + i),
                            "-D", "taskmanager.resource-id=taskmanager-" + (i + 1)), dynamic(tm[1]))),
                    flinkEnv, logs.resolve("flink-taskmanager-" + (i + 1) + ".log"), null, ports.flinkDataBase() + i));
            processes.get("flink-taskmanager-" + (i + 1)).start();
        }

        // the gateways, side by side, behind one port
        String researcherToken = LocalStack.secret(config.dataDir().resolve("researcher.token"), config.researcherTokenOverride());
        String uploadSecret = LocalStack.secret(config.dataDir().resolve("upload-token.secret"), null);
        Map<String, String> gatewayEnv = new HashMap<>(LocalStack.gatewayEnv(config, kafkaBootstrap, jdbcUrl, s3Endpoint,
                researcherToken, uploadSecret));
        gatewayEnv.put("PRT_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        for (int i = 0; i < ports.gateways().size(); i++) {
            int port = ports.gateways().get(i);
            Map<String, String> env = new HashMap<>(gatewayEnv);
            env.put("PRT_GATEWAY_PORT", String.valueOf(port));
            List<String> command = new ArrayList<>();
            command.add(javaBin());
            command.addAll(GatewayProcess.javaOptions(config.jobEnv()));
            command.addAll(List.of("-jar", config.gatewayJar().toString()));
            add(new Supervised("gateway-" + (i + 1), command, env, logs.resolve("gateway-" + (i + 1) + ".log"),
                    "http://127.0.0.1:" + port + "/readyz", port));
            processes.get("gateway-" + (i + 1)).start();
        }
        balancer = TcpBalancer.start(ports.gateway(), ports.gateways());

        processes.get("flink-jobmanager").awaitHealthy(Duration.ofSeconds(120));
        awaitTaskManagers(TASK_MANAGERS, Duration.ofSeconds(120));
        job = submitAssembly();
        for (int i = 0; i < ports.gateways().size(); i++) {
            processes.get("gateway-" + (i + 1)).awaitHealthy(Duration.ofSeconds(120));
        }
        supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-supervisor");
            t.setDaemon(true);
            return t;
        });
        supervisor.scheduleWithFixedDelay(this::supervise, 1, 1, TimeUnit.SECONDS);
        writeState();
        say("PR Telemetry cluster is up in %.1f s: gateway %s (instances on %s), web console %s/console/, Flink UI http://127.0.0.1:%d/",
                (System.nanoTime() - t0) / 1e9, gatewayUrl(), ports.gateways(), gatewayUrl(), ports.flinkRest());
    }

    private void add(Supervised s) {
        processes.put(s.name(), s);
    }

    private void supervise() {
        for (Supervised s : processes.values()) {
            try {
                if (s.restartIfDead()) {
                    say("%s had exited; started it again (restart %d; log %s)", s.name(), s.restarts(), s.log());
                    writeState();
                }
            } catch (Exception e) {
                System.err.println("prt: restarting " + s.name() + ": " + e.getMessage());
            }
        }
    }

    /** The trace assembly, submitted over REST with the job jar, parallelism 4 unless PRT_PARALLELISM says otherwise. */
    private JobClient submitAssembly() throws Exception {
        FlinkFileSystems.initialize(config.pluginsDir(), s3Endpoint, config.s3AccessKey(), config.s3SecretKey());
        JobConfig jobConfig = LocalStack.jobConfig(config, kafkaBootstrap, jdbcUrl, Map.of("PRT_PARALLELISM", "4",
                "PRT_CHECKPOINT_DIR", "s3://" + config.s3Bucket() + "/checkpoints"));
        Configuration conf = TraceAssemblyJob.flinkConfiguration(jobConfig);
        Optional<String> checkpoint = latestCheckpoint();
        if (checkpoint.isPresent()) {
            conf.setString("execution.state-recovery.path", checkpoint.get());
            say("trace assembly resumes from %s", checkpoint.get());
        }
        StreamExecutionEnvironment env = LocalStack.remoteEnvironment("127.0.0.1:" + ports.flinkRest(), conf, config.flinkJobJar());
        env.setParallelism(jobConfig.parallelism());
        env.setMaxParallelism(128);
        TraceAssemblyJob.definePipeline(env, jobConfig, QaConfig.fromEnv(config.jobEnv(), jobConfig.documentsBaseUri()),
                config.jobEnv());
        JobClient client = env.executeAsync(TraceAssemblyJob.NAME);
        say("trace assembly submitted to the JobManager at 127.0.0.1:%d (job %s, parallelism %d)", ports.flinkRest(),
                client.getJobID(), jobConfig.parallelism());
        return client;
    }

    /** The newest completed checkpoint in the S3 store's folder, as an {@code s3://} URI. */
    private Optional<String> latestCheckpoint() throws IOException {
        Path bucket = config.dataDir().resolve("s3").resolve(config.s3Bucket());
        return LocalStack.latestCheckpoint(bucket.resolve("checkpoints"))
                .map(p -> "s3://" + config.s3Bucket() + "/" + bucket.relativize(p).toString().replace('\\', '/'));
    }

    private Path kafkaNode(int i, String voters, String clusterId) throws IOException {
        Path data = Files.createDirectories(dir.resolve("kafka-" + (i + 1)));
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(i + 1));
        p.put("controller.quorum.voters", voters);
        int port = ports.kafka().get(i);
        int controller = ports.kafkaControllers().get(i);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", data.resolve("logs").toString());
        p.put("default.replication.factor", String.valueOf(KAFKA_NODES));
        p.put("min.insync.replicas", "2");
        p.put("unclean.leader.election.enable", "false");
        p.put("offsets.topic.replication.factor", String.valueOf(KAFKA_NODES));
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", String.valueOf(KAFKA_NODES));
        p.put("transaction.state.log.min.isr", "2");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(KAFKA_NODES));
        p.put("share.coordinator.state.topic.min.isr", "2");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", "4194304");
        p.put("auto.create.topics.enable", "false");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        Path config = data.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            p.store(out, "PR Telemetry cluster, Kafka node " + (i + 1));
        }
        if (!Files.exists(data.resolve("logs").resolve("meta.properties"))) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            int rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()},
                    new PrintStream(log, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IOException("formatting Kafka node " + (i + 1) + " failed: " + log.toString(StandardCharsets.UTF_8));
            }
        }
        return config;
    }

    private String clusterId() throws IOException {
        Path file = dir.resolve("kafka-cluster-id");
        if (!Files.isRegularFile(file)) {
            Files.writeString(file, Uuid.randomUuid().toString());
        }
        return Files.readString(file).strip();
    }

    private void awaitBrokers(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000"))) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get().size() == KAFKA_NODES) {
                        return;
                    }
                } catch (Exception e) {
                    // the quorum is still forming
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the three Kafka nodes did not form a cluster within " + timeout.toSeconds() + " s");
                }
                Thread.sleep(250);
            }
        }
    }

    private void awaitTaskManagers(int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.flinkRest()
                        + "/overview")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && StrictJson.parse(r.body().getBytes(StandardCharsets.UTF_8))
                        .path("taskmanagers").asInt() >= n) {
                    return;
                }
            } catch (IOException e) {
                // not serving yet
            }
            for (int i = 0; i < TASK_MANAGERS; i++) {
                Supervised tm = processes.get("flink-taskmanager-" + (i + 1));
                if (!tm.alive()) {
                    throw new IllegalStateException(tm.name() + " exited; see " + tm.log());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(n + " TaskManagers did not register within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
    }

    private Path writeLog4j() throws IOException {
        Path file = dir.resolve("log4j2.properties");
        Files.writeString(file, """
                # the cluster's processes log to standard output, which goes to .prt-data/logs/<process>.log
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = out
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n
                logger.kafka-request.name = kafka.request.logger
                logger.kafka-request.level = WARN
                logger.kafka-clients.name = org.apache.kafka.clients
                logger.kafka-clients.level = WARN
                logger.kafka-common.name = org.apache.kafka.common
                logger.kafka-common.level = WARN
                logger.s3proxy.name = org.gaul
                logger.s3proxy.level = WARN
                logger.jetty.name = org.eclipse.jetty
                logger.jetty.level = WARN
                """);
        return file;
    }

    /** Flink's {@code config.yaml} for the session cluster (flat keys, as Flink's own file has them). */
    private Path writeFlinkConf(Path log4j) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("flink-conf"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.rpc.port", String.valueOf(ports.flinkRpc()));
        c.put("blob.server.port", String.valueOf(ports.flinkBlob()));
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", String.valueOf(ports.flinkRest()));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.rpc.port", ports.flinkTaskManagerRpc());
        c.put("metrics.internal.query-service.port", ports.flinkQueryService());
        c.put("jobmanager.memory.process.size", config.jobEnv().getOrDefault("PRT_FLINK_JM_MEMORY", "768m"));
        c.put("taskmanager.memory.process.size", config.jobEnv().getOrDefault("PRT_FLINK_TM_MEMORY", "1536m"));
        // the job keeps its state on the heap (hashmap backend): little managed memory, more task heap
        c.put("taskmanager.memory.managed.fraction", "0.05");
        c.put("taskmanager.numberOfTaskSlots", config.jobEnv().getOrDefault("PRT_FLINK_TM_SLOTS", "4"));
        c.put("taskmanager.load-balance.mode", "slots"); // the job's slots spread over both TaskManagers
        // A killed TaskManager is noticed at once (its RPC connection fails; heartbeat.rpc-failure-threshold).
        // The heartbeat timeout only covers a TaskManager that hangs: 10 s proved too short on two busy
        // cores (a live TaskManager deploying the whole job missed heartbeats, the job restarted again and
        // again), so 30 s, below Flink's default 50.
        c.put("heartbeat.interval", "5000");
        c.put("heartbeat.timeout", "30000");
        c.put("io.tmp.dirs", Files.createDirectories(dir.resolve("flink-tmp")).toString());
        c.put("s3.endpoint", "http://127.0.0.1:" + ports.s3());
        c.put("s3.path.style.access", "true");
        c.put("s3.access-key", config.s3AccessKey());
        c.put("s3.secret-key", config.s3SecretKey());
        c.put("s3.ssl.enabled", "false");
        c.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.put("metrics.reporter.prom.host", "127.0.0.1");
        c.put("metrics.reporter.prom.port", ports.flinkMetrics());
        StringBuilder yaml = new StringBuilder("# written by ./prt up --cluster; Flink's standalone session cluster\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(yamlScalar(v)).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());
        Files.copy(log4j, conf.resolve("log4j.properties"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return conf;
    }

    private static String yamlScalar(String v) {
        return v.matches("[A-Za-z0-9_./:-]+") && !v.contains(": ") ? v : "'" + v.replace("'", "''") + "'";
    }

    /**
     * The JVM options and dynamic properties Flink's scripts compute for a process
     * ({@code BashJavaUtils GET_TM_RESOURCE_PARAMS} / {@code GET_JM_RESOURCE_PARAMS}): run it as
     * {@code taskmanager.sh} does, and take its two result lines.
     */
    static String[] bashJavaUtils(String command, Path conf, String classpath) throws Exception {
        Process p = new ProcessBuilder(javaBin(), "-cp", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils", command,
                "--configDir", conf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        List<String> results = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        if (rc != 0 || results.size() < 2) {
            throw new IllegalStateException("Flink's BashJavaUtils " + command + " failed (" + rc + "):\n" + out);
        }
        return new String[] {results.get(results.size() - 2), results.get(results.size() - 1)};
    }

    /** "-D k=v -D k2=v2" → ["-D", "k=v", "-D", "k2=v2"]. */
    private static List<String> dynamic(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    private List<String> flinkJvm(String memory, Path log4j) {
        List<String> jvm = new ArrayList<>(dynamic(memory));
        jvm.add("-XX:+UseG1GC");
        jvm.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        return jvm;
    }

    /**
     * What Flink's {@code lib/} would hold: the stack's classpath without this project's modules
     * and without the connectors and clients the job jar carries itself — {@code org.apache.flink}
     * classes load parent-first, so a connector found here would be paired with the job jar's Kafka
     * client and break, as on any real cluster whose lib holds no connectors.
     */
    static String flinkClasspath(String stackClasspath) {
        return Arrays.stream(stackClasspath.split(java.io.File.pathSeparator))
                .filter(e -> !e.endsWith("/classes") && !e.contains("/dev/prtelemetry/")
                        && !Path.of(e).getFileName().toString().startsWith("prt-")
                        && !e.contains("/org/apache/kafka/") && !e.contains("/flink-connector-")
                        && !e.contains("/org/postgresql/") && !e.contains("/org/gaul/") && !e.contains("/org/apache/jclouds/")
                        && !e.contains("/io/zonky/") && !e.contains("/org/flywaydb/") && !e.contains("/com/github/docker-java/")
                        && !e.contains("/com/openai/") && !e.contains("/org/scala-lang/"))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    private List<String> java(List<String> jvm, String classpath, String main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaBin());
        command.addAll(javaOptions);
        command.addAll(jvm);
        command.addAll(List.of("-cp", classpath, main));
        command.addAll(args);
        return command;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** {@code cluster.json}: each process with its pid, port and health probe, for {@code ./prt status} and {@code ./prt down}. */
    synchronized void writeState() {
        ObjectNode state = StrictJson.mapper().createObjectNode();
        state.put("supervisor_pid", ProcessHandle.current().pid());
        state.put("gateway", gatewayUrl());
        ArrayNode list = state.putArray("processes");
        for (Supervised s : processes.values()) {
            ObjectNode n = list.addObject().put("name", s.name()).put("pid", s.pid()).put("port", s.port())
                    .put("restarts", s.restarts()).put("log", s.log().toString());
            if (s.healthUrl() != null) {
                n.put("health", s.healthUrl());
            }
        }
        ObjectNode pg = list.addObject().put("name", "postgresql").put("pid", postgresPid()).put("port", ports.postgres())
                .put("restarts", 0);
        pg.put("log", config.dataDir().resolve("postgres").toString());
        list.addObject().put("name", "gateway-balancer").put("pid", ProcessHandle.current().pid()).put("port", ports.gateway())
                .put("restarts", 0).put("health", gatewayUrl() + "/readyz").put("log", "(in the supervisor)");
        try {
            Path tmp = config.dataDir().resolve(STATE_FILE + ".tmp");
            Files.writeString(tmp, StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(state));
            Files.move(tmp, config.dataDir().resolve(STATE_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("prt: writing " + STATE_FILE + ": " + e.getMessage());
        }
    }

    private long postgresPid() {
        try {
            return Long.parseLong(Files.readAllLines(config.dataDir().resolve("postgres/data/postmaster.pid")).get(0).strip());
        } catch (Exception e) {
            return -1;
        }
    }

    public Path dataDir() {
        return config.dataDir();
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + ports.gateway();
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

    public String flinkRest() {
        return "127.0.0.1:" + ports.flinkRest();
    }

    public String jobId() {
        return job == null ? null : job.getJobID().toHexString();
    }

    Ports ports() {
        return ports;
    }

    /** A process by name (kafka-1…3, s3, flink-jobmanager, flink-taskmanager-1…2, gateway-1…2). */
    public Supervised process(String name) {
        Supervised s = processes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no process " + name + "; there are " + processes.keySet());
        }
        return s;
    }

    /** Stops PostgreSQL and starts it again on the same data (a planned restart: clients see their connections drop). */
    public void restartPostgres() throws IOException {
        database.close();
        database = Database.start(config.dataDir().resolve("postgres"), ports.postgres());
        writeState();
    }

    private static void say(String format, Object... args) {
        System.out.println("prt: " + String.format(format, args));
    }

    /** Stops everything: the job (its last checkpoint is kept), the gateways, Flink, Kafka, the stores. */
    @Override
    public void close() {
        if (supervisor != null) {
            supervisor.shutdownNow();
        }
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (String name : List.of("gateway-1", "gateway-2")) {
            Supervised s = processes.get(name);
            if (s != null) {
                stopping.add(CompletableFuture.runAsync(() -> s.stop(Duration.ofSeconds(10))));
            }
        }
        if (balancer != null) {
            try {
                balancer.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        if (job != null) {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("prt: cancelling the job: " + e.getMessage());
            }
        }
        stopping.forEach(CompletableFuture::join);
        stopping.clear();
        for (Supervised s : processes.values()) {
            if (s.name().startsWith("flink-")) {
                stopping.add(CompletableFuture.runAsync(() -> s.stop(Duration.ofSeconds(15))));
            }
        }
        stopping.forEach(CompletableFuture::join);
        stopping.clear();
        for (Supervised s : processes.values()) {
            if (s.name().startsWith("kafka-") || s.name().equals("s3")) {
                stopping.add(CompletableFuture.runAsync(() -> s.stop(Duration.ofSeconds(30))));
            }
        }
        stopping.forEach(CompletableFuture::join);
        if (database != null) {
            try {
                database.close();
            } catch (IOException e) {
                System.err.println("prt: stopping PostgreSQL: " + e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(config.dataDir().resolve(STATE_FILE));
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
