package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.flink.job.TraceAssemblyJob;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.TraceDocumentVerifier;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.Topics;
import dev.prtelemetry.schemas.stream.TraceRecords;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trace assembly job on a MiniCluster (parallelism 2) against the real embedded Kafka,
 * PostgreSQL and S3 store.
 */
class TraceAssemblyITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static EmbeddedServices services;
    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void start() throws Exception {
        services = EmbeddedServices.start();
        FlinkFileSystems.initialize(Path.of("target/plugins"), services.s3.endpoint(),
                EmbeddedServices.ACCESS_KEY, EmbeddedServices.SECRET_KEY);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        services.close();
    }

    @Test
    void assemblesShuffledDuplicatedTracesOnceAndEndsBadOnesWithTheirReasons() throws Exception {
        Path checkpoints = Files.createTempDirectory("prt-chk");
        JobClient job = startJob(config("it-a", checkpoints), null);
        try {
            Random random = new Random(7);
            String good = newTrace();
            List<String> records = new ArrayList<>(List.of(chunk(good, 0, events(good)), chunk(good, 1, events(good)),
                    chunk(good, 2, events(good)), chunk(good, 1, events(good)), chunk(good, 0, events(good))));
            Collections.shuffle(records, random);
            send(good, header(good));
            records.forEach(r -> send(good, r));
            send(good, complete(good));

            String tampered = newTrace();
            List<JsonNode> bad = events(tampered);
            ((ObjectNode) bad.get(4).get("payload")).put("path", "other.py");
            send(tampered, header(tampered));
            send(tampered, chunk(tampered, 0, events(tampered)));
            send(tampered, chunk(tampered, 1, bad));

            String conflicting = newTrace();
            send(conflicting, header(conflicting));
            send(conflicting, chunk(conflicting, 0, events(conflicting)));
            send(conflicting, chunk(conflicting, 0, bad.subList(0, 9)));

            String gap = newTrace();
            send(gap, header(gap));
            send(gap, chunk(gap, 0, events(gap)));
            send(gap, chunk(gap, 2, events(gap)));
            send(gap, complete(gap));
            producer.flush();

            Map<String, String> row = awaitFinal(good);
            assertThat(row.get("state")).isEqualTo("complete");
            assertThat(row.get("event_count")).isEqualTo("9");
            assertThat(row.get("chain_head")).isEqualTo(events(good).get(8).get("hash").textValue());
            assertThat(row.get("duplicates_dropped")).isEqualTo("2");
            assertThat(chunkRows(good)).isEqualTo(3);
            JsonNode doc = document(row.get("document_uri"));
            assertThat(TraceDocumentVerifier.verifyDocument(doc).intact()).isTrue();
            assertThat(doc.get("integrity").get("merkle_root").asText()).isEqualTo(row.get("merkle_root"));

            assertThat(awaitFinal(tampered)).containsEntry("state", "rejected")
                    .hasEntrySatisfying("reasons", r -> assertThat(r).contains("seq=4 tampered"));
            assertThat(awaitFinal(conflicting)).containsEntry("state", "rejected")
                    .hasEntrySatisfying("reasons", r -> assertThat(r).contains("re-sent with different content"));
            assertThat(awaitFinal(gap)).containsEntry("state", "abandoned")
                    .hasEntrySatisfying("reasons", r -> assertThat(r).contains("chunk_seq 1 never arrived"));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aJobRestartedFromItsLastCheckpointMidTraceNeitherLosesNorDuplicatesARow() throws Exception {
        Path checkpoints = Files.createTempDirectory("prt-chk");
        List<String> traces = List.of(newTrace(), newTrace(), newTrace());
        JobClient first = startJob(config("it-restart", checkpoints), null);
        for (String t : traces) {
            send(t, header(t));
            send(t, chunk(t, 0, events(t)));
        }
        producer.flush();
        await(() -> traces.stream().allMatch(t -> chunkRows(t) == 1), "first chunks visible");
        Optional<Path> checkpoint = awaitNewCheckpoint(checkpoints, Optional.empty());
        checkpoint = awaitNewCheckpoint(checkpoints, checkpoint);
        for (String t : traces) {
            send(t, chunk(t, 1, events(t))); // in flight when the job goes down
        }
        producer.flush();
        first.cancel().get();
        Path restoreFrom = latestCheckpoint(checkpoints).orElseThrow();

        JobClient second = startJob(config("it-restart", checkpoints), restoreFrom);
        try {
            for (String t : traces) {
                send(t, chunk(t, 2, events(t)));
                send(t, complete(t));
            }
            producer.flush();
            for (String t : traces) {
                Map<String, String> row = awaitFinal(t);
                assertThat(row.get("state")).isEqualTo("complete");
                assertThat(row.get("event_count")).isEqualTo("9");
                assertThat(chunkRows(t)).isEqualTo(3);
                assertThat(eventsVisible(t)).isEqualTo(9);
                assertThat(TraceDocumentVerifier.verifyDocument(document(row.get("document_uri"))).intact()).isTrue();
            }
        } finally {
            second.cancel().get();
        }
    }

    // --- the job ---

    private static JobConfig config(String group, Path checkpoints) {
        Map<String, String> env = new HashMap<>();
        env.put("PRT_KAFKA_BOOTSTRAP", services.kafka.bootstrapServers());
        env.put("PRT_CONSUMER_GROUP", group);
        env.put("PRT_JDBC_URL", services.database.jdbcUrl());
        env.put("PRT_JDBC_USER", "postgres");
        env.put("PRT_JDBC_PASSWORD", "postgres");
        env.put("PRT_DOCUMENTS_URI", "s3://" + EmbeddedServices.BUCKET);
        env.put("PRT_CHECKPOINT_DIR", checkpoints.toUri().toString());
        env.put("PRT_CHECKPOINT_INTERVAL_MS", "1000");
        env.put("PRT_GAP_TIMEOUT_S", "3");
        env.put("PRT_JDBC_BATCH_INTERVAL_MS", "50");
        return JobConfig.fromEnv(env);
    }

    private static JobClient startJob(JobConfig config, Path restoreFrom) throws Exception {
        Configuration conf = TraceAssemblyJob.flinkConfiguration(config);
        if (restoreFrom != null) {
            conf.setString("execution.state-recovery.path", restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(config.parallelism());
        TraceAssemblyJob.defineWorkflow(env, TraceAssemblyJob.kafkaSource(config), TraceAssemblyJob.sinks(config), config);
        return env.executeAsync(TraceAssemblyJob.NAME);
    }

    private static Optional<Path> latestCheckpoint(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))));
        }
    }

    private static Optional<Path> awaitNewCheckpoint(Path dir, Optional<Path> after) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<Path> latest = latestCheckpoint(dir);
            if (latest.isPresent() && !latest.equals(after)) {
                return latest;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no new checkpoint in " + dir);
    }

    // --- records, as the gateway writes them ---

    private static String newTrace() {
        return UUID.randomUUID().toString();
    }

    private static List<JsonNode> events(String traceId) {
        HashChain chain = new HashChain(traceId);
        List<JsonNode> out = new ArrayList<>();
        TraceFixtures.unchainedEvents().forEach(e -> out.add(chain.append(e)));
        return out;
    }

    private static String header(String traceId) {
        ObjectNode h = StrictJson.mapper().createObjectNode();
        h.put("participant_id", "p-it").put("task_id", "dates-leap-day").put("task_title", "Leap day")
                .put("repo_origin", "https://example.org/dates.git")
                .put("start_commit", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        h.putObject("consent").put("granted", true);
        return TraceRecords.header(traceId, now(), h).toString();
    }

    private static String chunk(String traceId, int c, List<JsonNode> events) {
        int[][] bounds = {{0, 3}, {3, 7}, {7, 9}};
        ObjectNode chunk = StrictJson.mapper().createObjectNode();
        chunk.put("chunk_id", "chunk-" + c);
        chunk.put("chunk_seq", c);
        chunk.putArray("events").addAll(events.subList(bounds[c][0], bounds[c][1]));
        return TraceRecords.chunk(traceId, now(), chunk).toString();
    }

    private static String complete(String traceId) {
        List<JsonNode> e = events(traceId);
        ObjectNode c = StrictJson.mapper().createObjectNode();
        c.put("final_seq", 8).put("chain_head", e.get(8).get("hash").textValue());
        return TraceRecords.complete(traceId, now(), c).toString();
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static void send(String traceId, String json) {
        producer.send(new ProducerRecord<>(Topics.TRACE_RECORDS, traceId, json));
    }

    // --- what readers see ---

    private static Map<String, String> awaitFinal(String traceId) throws Exception {
        Map<String, String>[] row = new Map[1];
        await(() -> {
            row[0] = traceRow(traceId);
            return row[0] != null && List.of("complete", "rejected", "abandoned").contains(row[0].get("state"))
                    && row[0].get("document_uri") != null;
        }, "trace " + traceId + " to end");
        return row[0];
    }

    private static Map<String, String> traceRow(String traceId) {
        return query("SELECT state, event_count, chain_head, merkle_root, reasons::text AS reasons, document_uri,"
                + " duplicates_dropped FROM traces WHERE trace_id = ?", traceId);
    }

    private static int chunkRows(String traceId) {
        return Integer.parseInt(query("SELECT count(*) AS n FROM trace_event_chunks WHERE trace_id = ?", traceId).get("n"));
    }

    private static int eventsVisible(String traceId) {
        return Integer.parseInt(query("SELECT count(*) AS n FROM trace_event_chunks c, jsonb_array_elements(c.events::jsonb) e"
                + " WHERE c.trace_id = ?", traceId).get("n"));
    }

    private static Map<String, String> query(String sql, String traceId) {
        try (Connection c = DriverManager.getConnection(services.database.jdbcUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, String> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
                return row;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode document(String uri) throws Exception {
        String key = uri.substring(("s3://" + EmbeddedServices.BUCKET + "/").length());
        try (InputStream in = services.s3.blobStore().getBlob(EmbeddedServices.BUCKET, key).getPayload().openStream()) {
            return StrictJson.parse(in);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + Duration.ofSeconds(90).toMillis();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
