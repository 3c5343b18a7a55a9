package dev.prtelemetry.localstack;

import static dev.prtelemetry.localstack.EmbeddedServices.single;
import static dev.prtelemetry.localstack.EmbeddedServices.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.assembly.TraceRecord;
import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.flink.job.TraceAssemblyJob;
import dev.prtelemetry.flink.job.TraceRecordDeserializer;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.integrity.TraceDocumentVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.redaction.RedactionSelfTest;
import dev.prtelemetry.schemas.redaction.ServerRedaction;
import dev.prtelemetry.schemas.stream.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's guarantees against the whole local stack (gateway, Kafka, the trace assembly on a
 * MiniCluster, PostgreSQL, S3): secrets of every rule sent by a client that does not redact never
 * reach PostgreSQL, S3 or the assembled-traces topic; a trace without consent is refused with
 * nothing stored; an expired trace is gone after one retention sweep; an erased participant's
 * traces are gone everywhere and a replay of the raw topic does not bring them back.
 */
class PrivacyITCase {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String START = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

    @TempDir
    static Path dir;
    static LocalStack stack;
    static String researcher;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = EmbeddedServices.stackEnv();
        env.put("PRT_CHECKPOINT_INTERVAL_MS", "1000");
        env.put("PRT_QA_ENABLED", "false"); // QA is not under test here
        env.put("PRT_REDACTION_OPTIONAL", "email-address,ipv4-address"); // this deployment also removes personal data
        stack = LocalStack.start(StackConfig.fromEnv(dir.resolve("data"), ROOT, env));
        researcher = Files.readString(dir.resolve("data/researcher.token")).strip();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aSecretOfEveryRuleInAnEditACommandItsOutputAndANoteNeverReachesPostgresS3OrTheAssembledTopic() throws Exception {
        List<ObjectNode> seeded = RedactionSelfTest.seededEvents();
        Trace t = upload("leaky-client", seeded, null);
        JsonNode trace = awaitFinal(t.id);
        assertThat(trace.get("state").asText()).isEqualTo("complete");

        List<String> secrets = RedactionSelfTest.seededSecrets();
        assertThat(secrets).hasSize(19);
        // the raw topic holds them (that is what the server-side pass is for) ...
        String raw = topicText(Topics.TRACE_RECORDS);
        assertThat(secrets).allSatisfy(s -> assertThat(raw).contains(s));
        // ... and no other store does
        String postgres = postgresText();
        String s3 = s3Text();
        // the claim check is committed with the job's next checkpoint, which may come after the row is visible
        String assembled = topicText(Topics.TRACES_ASSEMBLED) + topicText(Topics.DEAD_LETTER);
        for (long deadline = System.currentTimeMillis() + 60_000; !assembled.contains(t.id) && System.currentTimeMillis() < deadline; ) {
            Thread.sleep(500);
            assembled = topicText(Topics.TRACES_ASSEMBLED) + topicText(Topics.DEAD_LETTER);
        }
        assertThat(postgres).contains(t.id);
        assertThat(s3).contains(t.id);
        assertThat(assembled).contains(t.id);
        for (String secret : secrets) {
            assertThat(postgres).as("PostgreSQL").doesNotContain(secret);
            assertThat(s3).as("S3").doesNotContain(secret);
            assertThat(assembled).as("assembled-traces / dead-letter topics").doesNotContain(secret);
        }
        // a text artifact (a command's full output) holding a secret is refused and not stored; binary bytes pass
        HttpResponse<String> created = post("/v1/traces", researcher, createBody("leaky-artifacts", "{\"granted\":true}", null, null));
        String token = StrictJson.parse(created.body()).get("upload_token").asText();
        String traceId = StrictJson.parse(created.body()).get("trace_id").asText();
        for (RedactionSelfTest.Canary c : RedactionSelfTest.canaries()) {
            if (c.rule().equals("email-address") || c.rule().equals("ipv4-address")) {
                continue; // optional rules rewrite events; artifacts are screened for secrets only
            }
            byte[] output = RedactionSelfTest.embed("output", c.line()).getBytes(StandardCharsets.UTF_8);
            String sha = Sha256.hex(Sha256.digest(output));
            HttpResponse<String> refused = putArtifact(traceId, token, sha, output);
            assertThat(refused.statusCode()).as(c.rule() + ": " + refused.body()).isEqualTo(422);
            assertThat(refused.body()).contains("artifact-contains-secret").contains(c.rule()).contains("line 3")
                    .doesNotContain(RedactionSelfTest.secretOf(c));
            assertThat(s3File("s3://prt/artifacts/sha256/" + sha)).doesNotExist();
        }
        byte[] binary = {0x50, 0x4b, 0x03, 0x04, 0, 0, 'A', 'K', 'I', 'A'};
        assertThat(putArtifact(traceId, token, Sha256.hex(Sha256.digest(binary)), binary).statusCode()).isEqualTo(201);
        String s3After = s3Text();
        for (String secret : secrets) {
            assertThat(s3After).as("S3").doesNotContain(secret);
        }

        // every event says which rule fired, and the stored document still verifies against the hashes as sent
        JsonNode doc = StrictJson.parse(read(trace.get("document_uri").asText()));
        assertThat(TraceDocumentVerifier.verifyDocument(doc).intact()).as(TraceDocumentVerifier.verifyDocument(doc).summary()).isTrue();
        assertThat(doc.at("/integrity/chain_head").asText()).isEqualTo(t.head);
        List<RedactionSelfTest.Canary> canaries = RedactionSelfTest.canaries();
        for (int i = 0; i < canaries.size(); i++) {
            for (int k = 0; k < 3; k++) {
                assertThat(ServerRedaction.rulesFired(doc.get("events").get(3 * i + k))).contains(canaries.get(i).rule());
            }
        }
        // consent and retention travel with the trace: row, document, claim check
        assertThat(doc.at("/session/consent/scopes").toString()).isEqualTo("[\"training\",\"evaluation\"]");
        assertThat(doc.at("/session/consent/text_version").asText()).isEqualTo("consent-2026-11");
        assertThat(doc.at("/session/retain_until").asDouble()).isGreaterThan(System.currentTimeMillis() / 1000.0 + 89 * 86400);
        assertThat(assembled).contains("\"consent\":{\"granted\":true,\"scopes\":[\"training\",\"evaluation\"]");
        assertThat(trace.at("/consent/scopes").toString()).isEqualTo("[\"training\",\"evaluation\"]");
        assertThat(trace.at("/consent/text_version").asText()).isEqualTo("consent-2026-11");
        assertThat(java.time.Instant.parse(trace.get("retain_until").asText()))
                .isBetween(java.time.Instant.now().plus(java.time.Duration.ofDays(90)).minusSeconds(600),
                        java.time.Instant.now().plus(java.time.Duration.ofDays(90)));
        try (Connection c = db()) {
            assertThat(text(c, "SELECT array_to_string(scopes, ',') || ' ' || text_version FROM trace_consents WHERE trace_id = '"
                    + t.id + "'")).isEqualTo("training,evaluation consent-2026-11");
        }
    }

    @Test
    void aTraceWithoutConsentIsRefusedWithAClearErrorAndNothingIsStored() throws Exception {
        long records = topicCount(Topics.TRACE_RECORDS);
        long consents;
        try (Connection c = db()) {
            consents = single(c, "SELECT count(*) FROM trace_consents");
        }
        for (String consent : new String[] {null, "{\"granted\":false}", "{\"granted\":true,\"scopes\":[]}",
            "{\"granted\":true,\"scopes\":[\"advertising\"]}"}) {
            HttpResponse<String> r = post("/v1/traces", researcher, createBody("no-consent", consent, null, null));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            JsonNode problem = StrictJson.parse(r.body());
            assertThat(problem.get("type").asText()).endsWith("/consent-required");
            assertThat(problem.get("detail").asText()).contains("only with its participant's consent");
            assertThat(problem.get("errors").toString()).contains("/consent");
        }
        try (Connection c = db()) {
            assertThat(single(c, "SELECT count(*) FROM trace_consents")).isEqualTo(consents);
            assertThat(single(c, "SELECT count(*) FROM traces WHERE participant_id = 'no-consent'")).isZero();
        }
        assertThat(topicCount(Topics.TRACE_RECORDS)).isEqualTo(records);
        // a retention longer than the deployment's is refused as well
        HttpResponse<String> r = post("/v1/traces", researcher, createBody("too-long", "{\"granted\":true}",
                System.currentTimeMillis() / 1000.0 + 400 * 86400.0, null));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("/retain_until").contains("90 days");
    }

    @Test
    void anExpiredTraceDisappearsFromPostgresAndS3WithinOneRetentionSweep() throws Exception {
        double retainUntil = System.currentTimeMillis() / 1000.0 + 6;
        Trace t = upload("short-lived", RedactionSelfTest.seededEvents().subList(0, 6), retainUntil);
        JsonNode trace = awaitFinal(t.id);
        Path doc = s3File(trace.get("document_uri").asText());
        assertThat(doc).exists();
        assertThat(s3File("s3://prt/artifacts/sha256/" + t.artifact)).exists();
        long wait = (long) (retainUntil * 1000) - System.currentTimeMillis() + 200;
        if (wait > 0) {
            Thread.sleep(wait);
        }
        HttpResponse<String> sweep = post("/v1/retention:sweep", researcher, "");
        assertThat(sweep.statusCode()).as(sweep.body()).isEqualTo(200);
        assertGoneEverywhere(t, doc);
        try (Connection c = db()) {
            assertThat(text(c, "SELECT reason FROM erased_traces WHERE trace_id = '" + t.id + "'")).isEqualTo("retention");
            assertThat(single(c, "SELECT count(*) FROM erasures WHERE reason = 'retention' AND traces::text LIKE '%" + t.id + "%'")).isEqualTo(1);
        }
        HttpResponse<String> gone = get("/v1/traces/" + t.id);
        assertThat(gone.statusCode()).isEqualTo(410);
        assertThat(gone.body()).contains("end of its retention period");
    }

    @Test
    void anErasedParticipantIsGoneEverywhereWithAnAuditRowAndAReplayedTopicDoesNotBringThemBack() throws Exception {
        Trace erased = upload("withdrawn-" + UUID.randomUUID().toString().substring(0, 8),
                RedactionSelfTest.seededEvents().subList(6, 12), null);
        Trace kept = upload("stays", RedactionSelfTest.seededEvents().subList(12, 18), null);
        Path erasedDoc = s3File(awaitFinal(erased.id).get("document_uri").asText());
        Path keptDoc = s3File(awaitFinal(kept.id).get("document_uri").asText());
        assertThat(erasedDoc).exists();

        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/participants/" + erased.participant))
                .header("Authorization", "Bearer " + researcher).DELETE());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode result = StrictJson.parse(r.body());
        assertThat(result.get("traces_erased").asInt()).isEqualTo(1);
        assertThat(result.at("/counts/tombstones").asInt()).isEqualTo(1);
        assertThat(result.at("/counts/erase_records").asInt()).isEqualTo(1);
        assertGoneEverywhere(erased, erasedDoc);
        try (Connection c = db()) {
            assertThat(text(c, "SELECT requested_by || ' ' || reason FROM erasures WHERE participant_id = '" + erased.participant + "'"))
                    .startsWith("researcher token from ").endsWith(" participant-request");
        }
        // the compacted topic has the tombstone that compaction will use to drop the trace's claim check
        // (a read_committed reader sees it once the assembly's open Kafka transaction commits, at its next checkpoint)
        long until = System.currentTimeMillis() + 30_000;
        while (topicRecords(Topics.TRACES_ASSEMBLED).stream().noneMatch(rec -> rec.value() == null
                && new String(rec.key(), StandardCharsets.UTF_8).equals(erased.id)) && System.currentTimeMillis() < until) {
            Thread.sleep(500);
        }
        assertThat(topicRecords(Topics.TRACES_ASSEMBLED)).anySatisfy(rec -> {
            assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo(erased.id);
            assertThat(rec.value()).isNull();
        });

        // replay the raw topic from its start through a second assembly (new consumer group) into the same stores
        replayRawTopic();
        assertGoneEverywhere(erased, erasedDoc);
        try (Connection c = db()) {
            assertThat(single(c, "SELECT count(*) FROM traces WHERE trace_id = '" + kept.id + "' AND state = 'complete'")).isEqualTo(1);
        }
        assertThat(keptDoc).exists();
        // and a re-scoring replay of the assembled topic (tombstones and all) judges the kept trace only
        var flink = StreamExecutionEnvironment.createLocalEnvironment(1, new org.apache.flink.configuration.Configuration());
        dev.prtelemetry.flink.qa.RescoreJob.define(flink, stack.jobConfig(), List.of("heuristic"), List.of("debugging@2"), null, null);
        flink.execute("prt-rescore-after-erasure");
        try (Connection c = db()) {
            assertThat(single(c, "SELECT count(*) FROM qa_judgements WHERE trace_id = '" + kept.id + "'")).isPositive();
            assertThat(single(c, "SELECT count(*) FROM qa_judgements WHERE trace_id = '" + erased.id + "'")).isZero();
        }
    }

    // ---- the pieces ----

    record Trace(String id, String participant, String head, String artifact) {
    }

    /** Creates a trace (consent given), uploads an artifact and the events in two chunks, and completes it. */
    static Trace upload(String participant, List<ObjectNode> unchained, Double retainUntil) throws Exception {
        HttpResponse<String> created = post("/v1/traces", researcher, createBody(participant,
                "{\"granted\":true,\"scopes\":[\"training\",\"evaluation\"],\"text_version\":\"consent-2026-11\"}", retainUntil, null));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode c = StrictJson.parse(created.body());
        String id = c.get("trace_id").asText();
        String token = c.get("upload_token").asText();
        byte[] output = ("full output of " + id).getBytes(StandardCharsets.UTF_8);
        String sha = Sha256.hex(Sha256.digest(output));
        HttpResponse<String> put = putArtifact(id, token, sha, output);
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
        HashChain chain = new HashChain(id);
        List<JsonNode> events = new ArrayList<>();
        for (ObjectNode e : unchained) {
            ObjectNode copy = e.deepCopy();
            if ("cmd_run".equals(copy.get("type").asText())) {
                ((ObjectNode) copy.get("payload")).put("output_ref", "artifact://sha256/" + sha);
            }
            events.add(chain.append(copy));
        }
        int half = events.size() / 2;
        for (int k = 0; k < 2; k++) {
            ObjectNode chunk = StrictJson.mapper().createObjectNode();
            chunk.put("chunk_id", "c-" + k).put("chunk_seq", k);
            chunk.putArray("events").addAll(k == 0 ? events.subList(0, half) : events.subList(half, events.size()));
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/traces/" + id + "/events:ingest"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Idempotency-Key", id + "-" + k).POST(HttpRequest.BodyPublishers.ofString(chunk.toString())));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        String head = events.get(events.size() - 1).get("hash").asText();
        HttpResponse<String> done = post("/v1/traces/" + id + "/complete", token,
                "{\"final_seq\":" + (events.size() - 1) + ",\"chain_head\":\"" + head + "\"}");
        assertThat(done.statusCode()).as(done.body()).isEqualTo(202);
        return new Trace(id, participant, head, sha);
    }

    static HttpResponse<String> putArtifact(String traceId, String token, String sha, byte[] bytes) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/traces/" + traceId + "/artifacts/" + sha))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    static String createBody(String participant, String consent, Double retainUntil, String traceId) {
        return "{\"participant_id\":\"" + participant + "\",\"task_id\":\"cfg-1\",\"task_title\":\"The config loader leaks\","
                + "\"repo_origin\":\"https://example.org/app.git\",\"start_commit\":\"" + START + "\""
                + (consent == null ? "" : ",\"consent\":" + consent)
                + (retainUntil == null ? "" : ",\"retain_until\":" + retainUntil)
                + (traceId == null ? "" : ",\"trace_id\":\"" + traceId + "\"") + "}";
    }

    /** No row of the trace in any table but the erasure list, no document, no artifact only it cited. */
    static void assertGoneEverywhere(Trace t, Path doc) throws Exception {
        try (Connection c = db()) {
            for (String table : List.of("traces", "trace_event_chunks", "trace_consents", "qa_validations", "qa_judgements")) {
                assertThat(single(c, "SELECT count(*) FROM " + table + " WHERE trace_id = '" + t.id + "'")).as(table).isZero();
            }
            assertThat(single(c, "SELECT count(*) FROM erased_traces WHERE trace_id = '" + t.id + "'")).isEqualTo(1);
        }
        assertThat(doc).doesNotExist();
        assertThat(s3File("s3://prt/artifacts/sha256/" + t.artifact)).doesNotExist();
    }

    /** The whole raw topic, again, through the assembly's code into PostgreSQL and S3 (claim checks discarded). */
    static void replayRawTopic() throws Exception {
        JobConfig config = stack.jobConfig();
        KafkaSource<TraceRecord> source = KafkaSource.<TraceRecord>builder()
                .setBootstrapServers(config.kafkaBootstrapServers())
                .setTopics(Topics.TRACE_RECORDS)
                .setGroupId("prt-replay-" + UUID.randomUUID())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new TraceRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
        var env = StreamExecutionEnvironment.createLocalEnvironment(1, new org.apache.flink.configuration.Configuration());
        TraceAssemblyJob.defineWorkflow(env, source, new TraceAssemblyJob.Sinks(
                dev.prtelemetry.flink.job.JdbcSinks.traces(config), dev.prtelemetry.flink.job.JdbcSinks.chunks(config),
                new DiscardingSink<>(), new DiscardingSink<>()), config);
        env.execute("prt-replay-after-erasure");
    }

    static JsonNode awaitFinal(String traceId) throws Exception {
        return EmbeddedServices.awaitEnded(stack.gatewayUrl(), researcher, traceId, java.time.Duration.ofSeconds(90));
    }

    static Path s3File(String uri) {
        return dir.resolve("data/s3").resolve(uri.substring("s3://".length()));
    }

    static String read(String uri) throws IOException {
        return Files.readString(s3File(uri));
    }

    static String s3Text() throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir.resolve("data/s3"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.append(p).append('\n').append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return out.toString();
    }

    /** Every row of every table, as text. */
    static String postgresText() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = db()) {
            List<String> tables = new ArrayList<>();
            try (var st = c.createStatement();
                 var rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("traces", "trace_event_chunks", "trace_consents");
            for (String t : tables) {
                try (var st = c.createStatement(); var rs = st.executeQuery("SELECT x::text FROM \"" + t + "\" x")) {
                    while (rs.next()) {
                        out.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    static List<ConsumerRecord<byte[], byte[]>> topicRecords(String topic) {
        return EmbeddedServices.topicRecords(stack.kafkaBootstrap(), topic);
    }

    static String topicText(String topic) {
        StringBuilder out = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> r : topicRecords(topic)) {
            if (r.value() != null) {
                out.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
            }
        }
        return out.toString();
    }

    static long topicCount(String topic) {
        return topicRecords(topic).size();
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(stack.jdbcUrl(), "postgres", "postgres");
    }

    static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).header("Authorization", "Bearer " + researcher));
    }

    static HttpResponse<String> post(String path, String token, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
