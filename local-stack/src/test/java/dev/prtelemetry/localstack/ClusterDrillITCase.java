package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-process cluster ({@code ./prt up --cluster}) on this machine: three Kafka nodes, a
 * JobManager and two TaskManagers, the S3 store, PostgreSQL and two gateways, each its own
 * process; the job spread over both TaskManagers with parallelism 4. Then the fault drill
 * ({@code ./prt drill}) under load: kill -9 a TaskManager, a broker and a gateway, restart
 * PostgreSQL and the S3 store — each fault recovered from, and at the end every chunk the gateway
 * acknowledged is in PostgreSQL exactly once, no event twice, every completed trace's chain
 * verifying from the stored rows.
 */
class ClusterDrillITCase {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theClusterRecoversFromEachFaultAndHoldsEveryAcknowledgedChunkExactlyOnce() throws Exception {
        // the child processes need the real classpath (Failsafe's booter jar hides it)
        System.setProperty("prt.stack.classpath", Path.of("target/classes").toAbsolutePath() + java.io.File.pathSeparator
                + Files.readString(Path.of("target/runtime-classpath.txt")).strip());
        Map<String, String> env = new HashMap<>();
        // ports of its own (below 32768), apart from the other tests' and a developer's running stack
        env.put("PRT_KAFKA_PORT", "22092");
        env.put("PRT_POSTGRES_PORT", "25433");
        env.put("PRT_S3_PORT", "29001");
        env.put("PRT_GATEWAY_PORT", "28000");
        env.put("PRT_FLINK_REST_PORT", "28081");
        env.put("PRT_FLINK_RPC_PORT", "26123");
        env.put("PRT_FLINK_METRICS_PORT", "29250");
        env.put("PRT_RESEARCHER_TOKEN", "drill-researcher-token");
        env.put("PRT_CHECKPOINT_INTERVAL_MS", "2000");
        Path data = dir.resolve("data");
        try (ClusterStack cluster = ClusterStack.start(StackConfig.fromEnv(data, ROOT, env), env)) {
            try {
                everyPartIsItsOwnProcess(cluster);
                kafkaKeepsThreeCopies(cluster);
                theJobRunsOnBothTaskManagers(cluster);

                ClusterDrill.Options o = new ClusterDrill.Options(6, 6, 20, 200, Duration.ofSeconds(8), Duration.ofMinutes(4),
                        Duration.ofMinutes(4));
                ClusterDrill.Report r = new ClusterDrill(cluster, "drill-researcher-token", o, System.out)
                        .run(List.of(ClusterDrill.Fault.values()));
                System.out.println(StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(ClusterDrill.toJson(r)));

                assertThat(r.faults()).extracting(ClusterDrill.FaultResult::fault).containsExactly(ClusterDrill.Fault.values());
                assertThat(r.faults()).allSatisfy(f -> assertThat(f.recovered()).as(f.fault().description + " recovered").isTrue());
                // the killed processes were started again by the supervisor
                assertThat(cluster.process("flink-taskmanager-1").restarts()).isGreaterThanOrEqualTo(1);
                assertThat(cluster.process("kafka-2").restarts()).isGreaterThanOrEqualTo(1);
                assertThat(cluster.process("gateway-1").restarts()).isGreaterThanOrEqualTo(1);

                ClusterDrill.Ledger l = r.ledger();
                assertThat(l.problems()).isEmpty();
                assertThat(l.clean()).isTrue();
                assertThat(l.ackedChunks()).isGreaterThan(100);
                assertThat(l.completedTraces()).isGreaterThan(10);
                assertThat(l.rowsInPostgres()).isEqualTo(l.ackedChunks());
                assertThat(l.eventsInPostgres()).isEqualTo(l.ackedEvents());
            } catch (AssertionError | RuntimeException e) {
                printLogTails(data.resolve("logs"), System.out);
                throw e;
            }
        }
        assertThat(data.resolve(ClusterStack.STATE_FILE)).doesNotExist();
    }

    private static void everyPartIsItsOwnProcess(ClusterStack cluster) throws Exception {
        JsonNode state = StrictJson.parse(Files.readAllBytes(cluster.dataDir().resolve(ClusterStack.STATE_FILE)));
        Set<String> names = new java.util.TreeSet<>();
        Set<Long> pids = new java.util.HashSet<>();
        for (JsonNode p : state.get("processes")) {
            names.add(p.get("name").asText());
            if (!p.get("name").asText().equals("gateway-balancer")) {
                long pid = p.get("pid").asLong();
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as(p.get("name").asText()).contains(true);
                assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
                pids.add(pid);
            }
        }
        assertThat(names).containsExactlyInAnyOrder("kafka-1", "kafka-2", "kafka-3", "s3", "flink-jobmanager",
                "flink-taskmanager-1", "flink-taskmanager-2", "gateway-1", "gateway-2", "postgresql", "gateway-balancer");
        assertThat(pids).hasSize(10);
    }

    private static void kafkaKeepsThreeCopies(ClusterStack cluster) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafkaBootstrap()))) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            TopicDescription records = admin.describeTopics(List.of(Topics.TRACE_RECORDS)).allTopicNames().get()
                    .get(Topics.TRACE_RECORDS);
            assertThat(records.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            assertThat(admin.describeConfigs(List.of(broker)).all().get().get(broker).get("min.insync.replicas").value())
                    .isEqualTo("2");
        }
    }

    private static void theJobRunsOnBothTaskManagers(ClusterStack cluster) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        JsonNode jobs = get(http, "http://" + cluster.flinkRest() + "/jobs/overview");
        assertThat(jobs.get("jobs")).anySatisfy(j -> {
            assertThat(j.get("state").asText()).isEqualTo("RUNNING");
            assertThat(j.get("jid").asText()).isEqualTo(cluster.jobId());
        });
        JsonNode job = get(http, "http://" + cluster.flinkRest() + "/jobs/" + cluster.jobId());
        assertThat(job.get("vertices")).allSatisfy(v -> assertThat(v.get("parallelism").asInt()).isEqualTo(4));
        JsonNode tms = get(http, "http://" + cluster.flinkRest() + "/taskmanagers");
        assertThat(tms.get("taskmanagers")).hasSize(2);
        // slots spread: each TaskManager runs part of the job
        assertThat(tms.get("taskmanagers")).allSatisfy(tm ->
                assertThat(tm.get("slotsNumber").asInt() - tm.get("freeSlots").asInt()).as(tm.get("id").asText()).isPositive());
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return StrictJson.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    private static void printLogTails(Path logs, PrintStream out) {
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
                out.println("==== " + f.getFileName() + " (last 40 of " + lines.size() + " lines)");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream()
                        .map(l -> l.length() > 300 ? l.substring(0, 300) + "…" : l).forEach(out::println);
            }
        } catch (IOException e) {
            out.println("(no logs: " + e.getMessage() + ")");
        }
    }
}
