package dev.prtelemetry.localstack;

import dev.prtelemetry.schemas.stream.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/** Kafka, PostgreSQL and the S3 store, started once per test class on free ports in a temp folder. */
final class EmbeddedServices implements AutoCloseable {
    static final String BUCKET = "prt";
    static final String ACCESS_KEY = "local-access";
    static final String SECRET_KEY = "local-secret";

    final Path dir;
    final EmbeddedKafka kafka;
    final Database database;
    final EmbeddedS3 s3;

    private EmbeddedServices(Path dir, EmbeddedKafka kafka, Database database, EmbeddedS3 s3) {
        this.dir = dir;
        this.kafka = kafka;
        this.database = database;
        this.s3 = s3;
    }

    static EmbeddedServices start() throws Exception {
        Path dir = Files.createTempDirectory("prt-it");
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), freePort(), freePort());
        Database db = Database.start(dir.resolve("postgres"), freePort());
        Database.migrate(db.jdbcUrl(), "postgres", "postgres");
        EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("s3"), freePort(), ACCESS_KEY, SECRET_KEY, BUCKET);
        EmbeddedKafka.ensureTopics(kafka.bootstrapServers(), List.of(
                new NewTopic(Topics.TRACE_RECORDS, 4, (short) 1),
                new NewTopic(Topics.TRACES_ASSEMBLED, 2, (short) 1),
                new NewTopic(Topics.DEAD_LETTER, 1, (short) 1),
                new NewTopic(Topics.METRICS, 2, (short) 1)),
                Topics.configs(java.time.Duration.ofDays(7), java.time.Duration.ofDays(90)));
        return new EmbeddedServices(dir, kafka, db, s3);
    }

    /**
     * Polls {@code GET /v1/traces/{id}} until the trace has ended and its document is written; the trace view.
     * Fails naming the last answer when {@code timeout} passes.
     */
    static com.fasterxml.jackson.databind.JsonNode awaitEnded(String gatewayUrl, String token, String traceId,
                                                              java.time.Duration timeout) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        String last = null;
        while (System.currentTimeMillis() < deadline) {
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(gatewayUrl + "/v1/traces/" + traceId)).header("Authorization", "Bearer " + token).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            last = r.body();
            if (r.statusCode() == 200) {
                com.fasterxml.jackson.databind.JsonNode t = dev.prtelemetry.schemas.json.StrictJson.parse(r.body());
                if (!List.of("open", "receiving").contains(t.get("state").asText()) && t.hasNonNull("document_uri")) {
                    return t;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("trace " + traceId + " did not end within " + timeout + ": " + last);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        kafka.close();
        database.close();
        s3.close();
        StackMain.deleteTree(dir);
    }

    /** The settings a test's whole {@link LocalStack} starts with: every port free, two partitions. */
    static java.util.Map<String, String> stackEnv() throws IOException {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        for (String port : List.of("PRT_KAFKA_PORT", "PRT_KAFKA_CONTROLLER_PORT", "PRT_POSTGRES_PORT", "PRT_S3_PORT",
                "PRT_GATEWAY_PORT", "PRT_FLINK_REST_PORT", "PRT_FLINK_METRICS_PORT")) {
            env.put(port, String.valueOf(freePort()));
        }
        env.put("PRT_PARTITIONS", "2");
        return env;
    }

    /** The single number a query answers. */
    static long single(java.sql.Connection c, String sql) throws java.sql.SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The single text a query answers. */
    static String text(java.sql.Connection c, String sql) throws java.sql.SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Every committed record of a topic, from the beginning to its end offsets now. */
    static java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> topicRecords(String bootstrap, String topic) {
        java.util.Map<String, Object> props = java.util.Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        var bytes = new org.apache.kafka.common.serialization.ByteArrayDeserializer();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props, bytes, bytes)) {
            java.util.List<org.apache.kafka.common.TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The values (as text) of a topic's committed records, in partition order; tombstones skipped. */
    static java.util.List<String> topicValues(String bootstrap, String topic) {
        return topicRecords(bootstrap, topic).stream().filter(r -> r.value() != null)
                .map(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }
}
