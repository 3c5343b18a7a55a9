package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.flink.job.TraceAssemblyJob;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.Topics;
import dev.prtelemetry.schemas.stream.TraceRecords;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cluster path: the shaded job jar ({@code flink-jobs/target/prt-flink-jobs.jar}) submitted
 * through a JobManager's REST endpoint, as {@code PRT_FLINK_REST} makes the stack do, assembles a
 * trace against the real Kafka and PostgreSQL.
 */
class RemoteFlinkITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(parentFirst()).build());

    /**
     * This "cluster" shares the test's JVM, whose classpath already holds Kafka (the embedded
     * broker): child-first loading of the jar's copy would clash with it. A real cluster has no
     * Kafka of its own, so there the jar's classes load as usual.
     */
    private static org.apache.flink.configuration.Configuration parentFirst() {
        org.apache.flink.configuration.Configuration c = new org.apache.flink.configuration.Configuration();
        c.setString("classloader.resolve-order", "parent-first");
        return c;
    }

    @Test
    void theJobJarSubmittedToAClusterAssemblesATrace(@InjectClusterClient ClusterClient<?> cluster) throws Exception {
        try (EmbeddedServices services = EmbeddedServices.start()) {
            Path docs = Files.createTempDirectory("prt-docs");
            Map<String, String> env = new HashMap<>();
            env.put("PRT_KAFKA_BOOTSTRAP", services.kafka.bootstrapServers());
            env.put("PRT_JDBC_URL", services.database.jdbcUrl());
            env.put("PRT_JDBC_USER", "postgres");
            env.put("PRT_JDBC_PASSWORD", "postgres");
            env.put("PRT_DOCUMENTS_URI", docs.toUri().toString());
            env.put("PRT_CHECKPOINT_INTERVAL_MS", "1000");
            JobConfig config = JobConfig.fromEnv(env);
            URI rest = URI.create(cluster.getWebInterfaceURL());
            // the extension installs a test environment as the default; a remote submission is explicit
            TestStreamEnvironment.unsetAsContext();
            StreamExecutionEnvironment remote = LocalStack.remoteEnvironment(rest.getHost() + ":" + rest.getPort(),
                    TraceAssemblyJob.flinkConfiguration(config), Path.of("../flink-jobs/target/prt-flink-jobs.jar"));
            remote.setParallelism(2);
            TraceAssemblyJob.defineWorkflow(remote, TraceAssemblyJob.kafkaSource(config), TraceAssemblyJob.sinks(config), config);
            JobClient job = remote.executeAsync(TraceAssemblyJob.NAME);
            try {
                String traceId = UUID.randomUUID().toString();
                send(services, traceId);
                long deadline = System.currentTimeMillis() + 90_000;
                String state = null;
                while (System.currentTimeMillis() < deadline && !"complete".equals(state)) {
                    state = state(services, traceId);
                    Thread.sleep(200);
                }
                assertThat(state).isEqualTo("complete");
            } finally {
                job.cancel().get();
                StackMain.deleteTree(docs);
            }
        }
    }

    private static void send(EmbeddedServices services, String traceId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            ObjectNode header = StrictJson.mapper().createObjectNode().put("participant_id", "p").put("task_id", "t");
            producer.send(new ProducerRecord<>(Topics.TRACE_RECORDS, traceId, TraceRecords.header(traceId, 1, header).toString()));
            HashChain chain = new HashChain(traceId);
            List<JsonNode> events = new ArrayList<>();
            TraceFixtures.unchainedEvents().forEach(e -> events.add(chain.append(e)));
            ObjectNode chunk = StrictJson.mapper().createObjectNode().put("chunk_id", "c0").put("chunk_seq", 0);
            chunk.putArray("events").addAll(events);
            producer.send(new ProducerRecord<>(Topics.TRACE_RECORDS, traceId, TraceRecords.chunk(traceId, 2, chunk).toString()));
            ObjectNode complete = StrictJson.mapper().createObjectNode().put("final_seq", events.size() - 1)
                    .put("chain_head", chain.head());
            producer.send(new ProducerRecord<>(Topics.TRACE_RECORDS, traceId, TraceRecords.complete(traceId, 3, complete).toString()));
        }
    }

    private static String state(EmbeddedServices services, String traceId) throws Exception {
        try (Connection c = DriverManager.getConnection(services.database.jdbcUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement("SELECT state FROM traces WHERE trace_id = ? AND document_uri IS NOT NULL")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
