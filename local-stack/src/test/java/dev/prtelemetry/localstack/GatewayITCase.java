package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.integrity.TraceFixtures;

import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway as a client sees it, in its own process, against the real embedded Kafka,
 * PostgreSQL and S3 store: every documented refusal comes as problem+json, and none of them
 * writes anything to Kafka or S3.
 */
class GatewayITCase {
    private static final String RESEARCHER = "researcher-token-for-tests-0123456789";
    private static final String SECRET = "upload-token-secret-for-tests-0123456789abcdef";
    private static final Path JAR = Path.of("../ingest-gateway/target/prt-gateway.jar");

    private static EmbeddedServices services;
    private static GatewayProcess gateway;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        services = EmbeddedServices.start();
        gateway = GatewayProcess.start(JAR, EmbeddedServices.freePort(), env(services.kafka.bootstrapServers(), "10s"),
                services.dir.resolve("gateway.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        services.close();
    }

    private static Map<String, String> env(String kafka, String ackTimeout) {
        return Map.ofEntries(
                Map.entry("PRT_KAFKA_BOOTSTRAP", kafka),
                Map.entry("PRT_KAFKA_ACK_TIMEOUT", ackTimeout),
                Map.entry("PRT_JDBC_URL", services.database.jdbcUrl()),
                Map.entry("PRT_S3_ENDPOINT", services.s3.endpoint()),
                Map.entry("PRT_S3_ACCESS_KEY", EmbeddedServices.ACCESS_KEY),
                Map.entry("PRT_S3_SECRET_KEY", EmbeddedServices.SECRET_KEY),
                Map.entry("PRT_S3_BUCKET", EmbeddedServices.BUCKET),
                Map.entry("PRT_RESEARCHER_TOKEN", RESEARCHER),
                Map.entry("PRT_UPLOAD_TOKEN_SECRET", SECRET),
                Map.entry("PRT_MAX_CHUNK_BYTES", "100000"),
                Map.entry("PRT_MAX_ARTIFACT_BYTES", "50000"),
                Map.entry("PRT_RATE_PER_SECOND", "20"),
                Map.entry("PRT_RATE_BURST", "30"),
                Map.entry("PRT_UNAUTHORIZED_PER_MINUTE", "40"),
                Map.entry("PRT_READ_IDLE_TIMEOUT", "5s"),
                Map.entry("PRT_IDLE_TIMEOUT", "8s"),
                Map.entry("PRT_REQUEST_DEADLINE", "6s"));
    }

    @Test
    void createsATraceAndAcceptsAChunkOnlyOnceItIsInKafka() throws Exception {
        long before = recordsInKafka();
        Created t = create();
        var r = post(gateway.url() + "/v1/traces/" + t.id + "/events:ingest", t.token, "application/json", chunk(t.id),
                "Idempotency-Key", "k-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(StrictJson.parse(r.body()).get("accepted_events").asInt()).isEqualTo(9);
        assertThat(recordsInKafka()).isEqualTo(before + 2); // header + chunk
    }

    @Test
    void refusesBadChunksWithProblemsAndWritesNothing() throws Exception {
        Created t = create();
        long kafkaBefore = recordsInKafka();
        int s3Before = objectsInS3();
        String url = gateway.url() + "/v1/traces/" + t.id + "/events:ingest";

        assertProblem(post(url, t.token, "application/json", "{\"chunk_id\": ", "Idempotency-Key", "a"), 400, "malformed-json");
        assertProblem(post(url, t.token, "text/plain", chunk(t.id), "Idempotency-Key", "a"), 415, "unsupported-media-type");
        assertProblem(post(url, t.token, "application/json", "{\"pad\":\"" + "x".repeat(100_001) + "\"}", "Idempotency-Key", "a"),
                413, "too-large");
        assertProblem(post(url, t.token, "application/json", chunk(t.id)), 400, "idempotency-key");

        ObjectNode bad = (ObjectNode) StrictJson.parse(chunk(t.id));
        ((ObjectNode) bad.get("events").get(1)).put("seq", -1);
        ((ObjectNode) bad.get("events").get(2).get("payload")).remove("summary");
        var violations = post(url, t.token, "application/json", bad.toString(), "Idempotency-Key", "a");
        assertProblem(violations, 422, "schema-violation");
        assertThat(pointers(violations)).contains("/events/1/seq", "/events/2/payload/summary");

        assertProblem(post(url, null, "application/json", chunk(t.id), "Idempotency-Key", "a"), 401, "unauthorized");
        assertProblem(post(url, jwt(t.id, -60, SECRET, "HS256"), "application/json", chunk(t.id), "Idempotency-Key", "a"),
                401, "unauthorized"); // expired
        assertProblem(post(url, jwt(t.id, 600, "another-secret-of-sufficient-length-000000", "HS256"), "application/json",
                chunk(t.id), "Idempotency-Key", "a"), 401, "unauthorized"); // forged
        assertProblem(post(url, jwt(t.id, 600, SECRET, "none"), "application/json", chunk(t.id), "Idempotency-Key", "a"),
                401, "unauthorized"); // alg none
        assertProblem(post(url, RESEARCHER, "application/json", chunk(t.id), "Idempotency-Key", "a"), 401, "unauthorized");
        Created other = create();
        kafkaBefore += 1; // that create's header
        assertProblem(post(url, other.token, "application/json", chunk(t.id), "Idempotency-Key", "a"), 403, "forbidden");

        byte[] blob = "some output\n".getBytes(StandardCharsets.UTF_8);
        String wrongName = Sha256.hex(Sha256.digest("other".getBytes(StandardCharsets.UTF_8)));
        assertProblem(put(gateway.url() + "/v1/traces/" + t.id + "/artifacts/" + wrongName, t.token, blob), 422, "digest-mismatch");
        byte[] big = new byte[50_001];
        assertProblem(put(gateway.url() + "/v1/traces/" + t.id + "/artifacts/" + Sha256.hex(Sha256.digest(big)), t.token, big),
                413, "too-large");

        assertThat(recordsInKafka()).isEqualTo(kafkaBefore);
        assertThat(objectsInS3()).isEqualTo(s3Before);
    }

    /**
     * Issue 13, findings 1–3: bytes another reader would read differently are refused with a 400
     * problem, never acknowledged (a chunk with a byte-order mark, or in UTF-16, got 202 and was
     * then lost by the assembly, which reads UTF-8; 2^64 as chunk_seq was applied as chunk 0;
     * 1e400 or a lone surrogate gave a 500), and nothing reaches Kafka.
     */
    @Test
    void otherEncodingsHugeNumbersAndLoneSurrogatesAreRefusedNeverAcknowledged() throws Exception {
        Created t = create();
        long kafkaBefore = recordsInKafka();
        String url = gateway.url() + "/v1/traces/" + t.id + "/events:ingest";
        String good = chunk(t.id);
        byte[] utf8 = good.getBytes(StandardCharsets.UTF_8);
        java.util.Map<String, byte[]> bodies = new java.util.LinkedHashMap<>();
        bodies.put("UTF-8 with a byte-order mark", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8));
        bodies.put("UTF-16", good.getBytes(StandardCharsets.UTF_16));
        bodies.put("UTF-16LE", good.getBytes(StandardCharsets.UTF_16LE));
        bodies.put("UTF-32", good.getBytes(java.nio.charset.Charset.forName("UTF-32")));
        String marker = "\"chunk_id\":\"c0\"";
        bodies.put("overlong UTF-8", replaceBytes(utf8, marker, concat("\"chunk_id\":\"c".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xC0, (byte) 0xAF, '"'})));
        bodies.put("an encoded surrogate", replaceBytes(utf8, marker, concat("\"chunk_id\":\"c".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'})));
        bodies.put("a lone surrogate escape", good.replace(marker, "\"chunk_id\":\"c\\ud800\"").getBytes(StandardCharsets.UTF_8));
        // found by the fuzz suite: a NUL, valid JSON, stopped the assembly's PostgreSQL writer after a 2xx
        bodies.put("a NUL escape", good.replace(marker, "\"chunk_id\":\"c\\u0000\"").getBytes(StandardCharsets.UTF_8));
        for (String n : new String[] {"18446744073709551616", "9223372036854775808", "9007199254740992", "1e400"}) {
            bodies.put("chunk_seq " + n, good.replace("\"chunk_seq\":0", "\"chunk_seq\":" + n).getBytes(StandardCharsets.UTF_8));
        }
        ObjectNode huge = (ObjectNode) StrictJson.parse(good);
        bodies.put("ts_client_s 1e400", huge.toString().replaceFirst("\"ts_client_s\":[0-9.eE+-]+", "\"ts_client_s\":1e400")
                .getBytes(StandardCharsets.UTF_8));
        for (var e : bodies.entrySet()) {
            var r = send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + t.token).header("Idempotency-Key", "enc-" + e.getKey().hashCode())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(e.getValue())));
            assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(e.getKey()).startsWith("application/problem+json");
            assertThat(StrictJson.parse(r.body()).get("type").asText()).as(e.getKey())
                    .isIn("https://prtelemetry.dev/problems/not-utf8", "https://prtelemetry.dev/problems/not-interoperable");
        }
        // the same on the other writes: creation and completion
        var create = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/traces")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + RESEARCHER)
                .POST(HttpRequest.BodyPublishers.ofString("{\"participant_id\":\"p\\ud800\",\"task\":{\"id\":\"t\"}}")));
        assertProblem(create, 400, "not-interoperable");
        var complete = post(gateway.url() + "/v1/traces/" + t.id + "/complete", t.token, "application/json", "{\"final_seq\":1e400}");
        assertProblem(complete, 400, "not-interoperable");
        // a body that says it is gzip and is not: the client's error, in problem+json, not a 500
        var gzip = send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").header("Authorization", "Bearer " + t.token).header("Idempotency-Key", "gz")
                .POST(HttpRequest.BodyPublishers.ofByteArray(utf8)));
        assertThat(gzip.statusCode()).as(gzip.body()).isEqualTo(400);
        assertThat(gzip.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        // the HTTP layer's own answers are problems too: an unknown route, a body larger than the server takes at all
        assertProblem(send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/no-such-endpoint")).GET()), 404, "not-found");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", java.net.URI.create(gateway.url()).getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("POST /v1/traces/" + t.id + "/events:ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + t.token + "\r\nIdempotency-Key: huge\r\nContent-Length: 50000000\r\n\r\n{")
                    .getBytes(StandardCharsets.ISO_8859_1));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String status = in.readLine();
            StringBuilder rest = new StringBuilder();
            for (String l; (l = in.readLine()) != null; ) {
                rest.append(l).append('\n');
            }
            assertThat(status).startsWith("HTTP/1.1 413");
            assertThat(rest.toString().toLowerCase()).contains("content-type: application/problem+json");
        }
        assertThat(recordsInKafka()).isEqualTo(kafkaBefore);
        // and the good chunk is still accepted, exactly once
        assertThat(post(url, t.token, "application/json", good, "Idempotency-Key", "enc-good").statusCode()).isEqualTo(202);
        assertThat(recordsInKafka()).isEqualTo(kafkaBefore + 1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] replaceBytes(byte[] in, String marker, byte[] with) {
        String s = new String(in, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(marker);
        assertThat(at).isNotNegative();
        return concat(concat(java.util.Arrays.copyOf(in, at), with), java.util.Arrays.copyOfRange(in, at + marker.length(), in.length));
    }

    /**
     * Issue 13, finding 5: the same Idempotency-Key with another chunk is refused (422, the IETF
     * idempotency-key draft's answer) — both were acknowledged; a retry with the same chunk passes.
     */
    @Test
    void anIdempotencyKeyReusedForAnotherChunkIsRefusedARetryIsNot() throws Exception {
        Created t = create();
        String url = gateway.url() + "/v1/traces/" + t.id + "/events:ingest";
        String first = chunk(t.id);
        ObjectNode other = (ObjectNode) StrictJson.parse(first);
        other.put("chunk_id", "c0-other");
        long before = recordsInKafka();
        assertThat(post(url, t.token, "application/json", first, "Idempotency-Key", "key-1").statusCode()).isEqualTo(202);
        assertThat(post(url, t.token, "application/json", first, "Idempotency-Key", "key-1").statusCode()).as("a retry").isEqualTo(202);
        var reused = post(url, t.token, "application/json", other.toString(), "Idempotency-Key", "key-1");
        assertProblem(reused, 422, "idempotency-key-reused");
        assertThat(StrictJson.parse(reused.body()).get("detail").asText()).contains("key-1").contains("nothing was stored");
        assertThat(recordsInKafka()).isEqualTo(before + 2); // the chunk and its retry (the assembly drops the duplicate), not the other
        // the same key on another trace is another key
        Created t2 = create();
        assertThat(post(gateway.url() + "/v1/traces/" + t2.id + "/events:ingest", t2.token, "application/json", chunk(t2.id),
                "Idempotency-Key", "key-1").statusCode()).isEqualTo(202);
    }

    @Test
    void storesAnArtifactOnlyUnderItsOwnHash() throws Exception {
        Created t = create();
        byte[] blob = ("pytest output " + t.id).getBytes(StandardCharsets.UTF_8);
        String name = Sha256.hex(Sha256.digest(blob));
        var first = put(gateway.url() + "/v1/traces/" + t.id + "/artifacts/" + name, t.token, blob);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(StrictJson.parse(first.body()).get("ref").asText()).isEqualTo("artifact://sha256/" + name);
        // the same answer the second time: 200 told a caller that the bytes were already stored, by anyone (issue 13, finding 5)
        assertThat(put(gateway.url() + "/v1/traces/" + t.id + "/artifacts/" + name, t.token, blob).statusCode()).isEqualTo(201);
        Created other = create();
        assertThat(put(gateway.url() + "/v1/traces/" + other.id + "/artifacts/" + name, other.token, blob).statusCode()).isEqualTo(201);
        assertThat(services.s3.blobStore().blobExists(EmbeddedServices.BUCKET, "artifacts/sha256/" + name)).isTrue();
    }

    /**
     * Issue 13, finding 4: limits that hold whatever the client does. Minting upload tokens is
     * capped per trace; uploads are limited per trace whatever token carries them (minting more
     * tokens bought more rate); failed authentications are limited per source address (a 401
     * flood turns into 429s — from another source address, 127.0.0.2, so other tests' 401s from
     * 127.0.0.1 are untouched); a connection that sends nothing is closed.
     */
    @Test
    void mintingUploadsFailedAuthenticationsAndIdleSocketsAreLimited() throws Exception {
        Created t = create();
        List<String> minted = new ArrayList<>();
        int mintRefused = 0;
        for (int i = 0; i < 20; i++) {
            var r = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/traces/" + t.id + "/token"))
                    .header("Authorization", "Bearer " + t.token).POST(HttpRequest.BodyPublishers.noBody()));
            if (r.statusCode() == 200) {
                minted.add(StrictJson.parse(r.body()).get("upload_token").asText());
            } else {
                assertProblem(r, 429, "rate-limited");
                mintRefused++;
            }
        }
        assertThat(minted).hasSizeLessThanOrEqualTo(12);
        assertThat(mintRefused).isGreaterThanOrEqualTo(8);

        // 100 uploads at once, each with the next minted token (each token's own bucket stays nearly full): the
        // trace's bucket (burst 30, 20/s) runs dry. The artifacts are refused anyway (422, not their hash): cheap to send.
        byte[] blob = ("limits " + t.id).getBytes(StandardCharsets.UTF_8);
        String notItsName = Sha256.hex(Sha256.digest(new byte[] {1}));
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/traces/" + t.id + "/artifacts/" + notItsName))
                    .header("Authorization", "Bearer " + minted.get(i % minted.size())).header("Content-Type", "application/octet-stream")
                    .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int limited = 0;
        for (var f : inFlight) {
            limited += f.get().statusCode() == 429 ? 1 : 0;
        }
        assertThat(limited).as("uploads beyond the trace's rate, whatever the token").isGreaterThan(0);

        // a flood of bad tokens from one address: 401 up to the limit, then 429 with Retry-After
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            codes.add(rawStatus("127.0.0.2", "GET /v1/traces/" + t.id + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess-" + i
                    + "\r\nConnection: close\r\n\r\n"));
        }
        assertThat(codes).contains(401, 429);
        assertThat(codes.indexOf(429)).isGreaterThan(codes.indexOf(401));
        // ... while this address is not affected
        assertThat(send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/traces/" + t.id)).header("Authorization", "Bearer nope")
                .GET()).statusCode()).isEqualTo(401);

        // a connection that never sends a request is closed by the server (read-idle timeout, 5 s in this test's gateway)
        try (java.net.Socket idle = new java.net.Socket("127.0.0.1", java.net.URI.create(gateway.url()).getPort())) {
            idle.setSoTimeout(20_000);
            long t0 = System.nanoTime();
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            assertThat((System.nanoTime() - t0) / 1_000_000_000.0).isLessThan(15);
        }
    }

    /**
     * Issue 13's security matrix: every operation of the gateway's own OpenAPI document (so a new
     * endpoint cannot be left out: {@code OpenApiRoutesTest} checks every route is in it) × every
     * kind of credential, the expectation read from the operation's {@code security}: a credential
     * of a listed scheme is let through (neither 401 nor 403), any other is refused with 401 or 403,
     * none at all with 401, and public operations refuse no one. Each credential kind asks from
     * its own loopback address, so the per-address limit on failed authentications does not blur
     * the answers.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyEndpointAgainstEveryKindOfToken() throws Exception {
        Map<String, Object> api = new org.yaml.snakeyaml.Yaml().load(get("/openapi.yml").body());
        String owner = "matrix-owner";
        var created = post(gateway.url() + "/v1/traces", RESEARCHER, "application/json", createBody().replace("p-it", owner));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String traceA = StrictJson.parse(created.body()).get("trace_id").asText();
        String uploadA = StrictJson.parse(created.body()).get("upload_token").asText();
        Created traceB = create();
        String participantOwn = StrictJson.parse(post(gateway.url() + "/v1/participants/" + owner + "/tokens", RESEARCHER,
                "application/json", "{}").body()).get("token").asText();
        String participantOther = StrictJson.parse(post(gateway.url() + "/v1/participants/matrix-other/tokens", RESEARCHER,
                "application/json", "{}").body()).get("token").asText();
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("none", null);
        kinds.put("garbage", "not-a-token");
        kinds.put("forged", jwt(traceA, 600, "another-secret-of-sufficient-length-000000", "HS256"));
        kinds.put("alg-none", jwt(traceA, 600, SECRET, "none"));
        kinds.put("expired", jwt(traceA, -60, SECRET, "HS256"));
        kinds.put("other-trace-upload", traceB.token);
        kinds.put("participant-other", participantOther);
        kinds.put("participant-own", participantOwn);
        kinds.put("upload", uploadA);
        kinds.put("researcher", RESEARCHER);
        Map<String, Object> paths = (Map<String, Object>) api.get("paths");
        List<String> failures = new ArrayList<>();
        int cells = 0;
        int source = 10;
        for (var kind : kinds.entrySet()) {
            String address = "127.0.0." + source++;
            for (var path : paths.entrySet()) {
                for (var op : ((Map<String, Object>) path.getValue()).entrySet()) {
                    Map<String, Object> operation = (Map<String, Object>) op.getValue();
                    assertThat(operation).as(op.getKey() + " " + path.getKey() + " declares its security").containsKey("security");
                    List<String> schemes = new ArrayList<>();
                    ((List<Map<String, Object>>) operation.get("security")).forEach(m -> schemes.addAll(m.keySet()));
                    boolean expiredOk = Boolean.TRUE.equals(operation.get("x-prt-accepts-expired-upload-token"));
                    String target = path.getKey().replace("{id}", traceA).replace("{participantId}", "matrix-nobody")
                            .replace("{sha256}", "0".repeat(64)).replace("{name}", "chunk");
                    boolean allowed = schemes.isEmpty() || switch (kind.getKey()) {
                        case "researcher" -> schemes.contains("researcher");
                        case "upload" -> schemes.contains("upload");
                        case "expired" -> schemes.contains("upload") && expiredOk;
                        case "participant-own" -> schemes.contains("participant");
                        default -> false;
                    };
                    String method = op.getKey().toUpperCase();
                    String body = method.equals("POST") && target.equals("/v1/traces") ? createBody().replace("p-it", owner) : "{}";
                    int status = raw(address, method, target, kind.getValue(), body);
                    cells++;
                    boolean refused = status == 401 || status == 403;
                    boolean ok = schemes.isEmpty() ? !refused : allowed ? !refused
                            : kind.getValue() == null ? status == 401 : refused;
                    if (!ok) {
                        failures.add(kind.getKey() + " " + method + " " + path.getKey() + " -> " + status + " (schemes " + schemes + ")");
                    }
                }
            }
        }
        System.out.println("security matrix: " + cells + " cells (" + kinds.size() + " credential kinds x " + cells / kinds.size()
                + " operations)");
        assertThat(failures).isEmpty();
        assertThat(cells / kinds.size()).isGreaterThanOrEqualTo(17);
    }

    /**
     * Issue 13, findings 4 and 5: a request trickled a header line at a time (every idle timer
     * reset) is answered 408 and closed at the request deadline (6 s in this test's gateway); a
     * request with both Content-Length and Transfer-Encoding is refused (400), not read with one
     * of them silently dropped.
     */
    @Test
    void aTrickledRequestMeetsItsDeadlineAndAmbiguousFramingIsRefused() throws Exception {
        int port = java.net.URI.create(gateway.url()).getPort();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            var out = s.getOutputStream();
            long t0 = System.nanoTime();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String status = null;
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 25 && status == null; i++) {
                Thread.sleep(1000);
                try {
                    out.write(("X-Slow-" + i + ": y\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (java.io.IOException closed) {
                    break;
                }
                if (s.getInputStream().available() > 0) {
                    status = in.readLine();
                }
            }
            if (status == null) {
                status = in.readLine();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(status).startsWith("HTTP/1.1 408");
            assertThat(seconds).isLessThan(15);
        }
        String body = chunk("x");
        String smuggled = "POST /v1/traces/x/events:ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length())
                + "\r\n" + body + "\r\n0\r\n\r\n";
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(smuggled.getBytes(StandardCharsets.ISO_8859_1));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            assertThat(in.readLine()).startsWith("HTTP/1.1 400");
            String rest = String.join("\n", in.lines().toList());
            assertThat(rest).contains("application/problem+json").contains("ambiguous-framing");
        }
        // an ordinary request on a kept-alive connection is unaffected, twice
        for (int i = 0; i < 2; i++) {
            assertThat(get("/healthz").statusCode()).isEqualTo(200);
        }
    }

    /** A raw HTTP/1.1 request from {@code source} (a loopback address); the status code. */
    private static int raw(String source, String method, String path, String token, String body) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (method.equals("GET") || method.equals("DELETE") ? "" : "Content-Type: application/json\r\nIdempotency-Key: matrix\r\n"
                + "Content-Length: " + b.length + "\r\n") + "\r\n";
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new java.net.InetSocketAddress(source, 0));
            s.connect(new java.net.InetSocketAddress("127.0.0.1", java.net.URI.create(gateway.url()).getPort()), 5000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (!(method.equals("GET") || method.equals("DELETE"))) {
                s.getOutputStream().write(b);
            }
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    /** Sends a raw HTTP/1.1 request from {@code source} (a loopback address) and returns the status code. */
    private static int rawStatus(String source, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new java.net.InetSocketAddress(source, 0));
            s.connect(new java.net.InetSocketAddress("127.0.0.1", java.net.URI.create(gateway.url()).getPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void aBurstBeyondTheTokensRateGets429WithRetryAfter() throws Exception {
        Created t = create();
        String url = gateway.url() + "/v1/traces/" + t.id;
        List<Integer> codes = new ArrayList<>();
        HttpResponse<String> limited = null;
        for (int i = 0; i < 60; i++) {
            var r = send(HttpRequest.newBuilder(URI.create(url + "/token")).header("Authorization", "Bearer " + t.token)
                    .POST(HttpRequest.BodyPublishers.noBody()));
            codes.add(r.statusCode());
            if (r.statusCode() == 429) {
                limited = r;
            }
        }
        assertThat(codes).contains(200, 429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertProblem(limited, 429, "rate-limited");
    }

    @Test
    void unknownTracesAre404AndListingNeedsAResearcher() throws Exception {
        var r = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/traces/no-such-trace"))
                .header("Authorization", "Bearer " + RESEARCHER).GET());
        assertProblem(r, 404, "not-found");
        Created t = create();
        var list = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/traces")).header("Authorization", "Bearer " + t.token).GET());
        assertProblem(list, 403, "forbidden");
    }

    @Test
    void participantTokensCreateOnlyTheirOwnTracesAndClientTraceIdsAreIdempotent() throws Exception {
        var issued = post(gateway.url() + "/v1/participants/alice/tokens", RESEARCHER, "application/json", "{}");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        String alice = StrictJson.parse(issued.body()).get("token").asText();
        assertProblem(post(gateway.url() + "/v1/participants/mallory/tokens", alice, "application/json", "{}"), 403, "forbidden");
        assertProblem(post(gateway.url() + "/v1/participants/bad%20id/tokens", RESEARCHER, "application/json", "{}"), 400,
                "bad-participant-id");

        String id = java.util.UUID.randomUUID().toString();
        String mine = "{\"trace_id\":\"" + id + "\",\"participant_id\":\"alice\",\"task_id\":\"t\",\"task_title\":\"x\","
                + "\"repo_origin\":\"o\",\"start_commit\":\"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\",\"consent\":{\"granted\":true}}";
        var created = post(gateway.url() + "/v1/traces", alice, "application/json", mine);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(StrictJson.parse(created.body()).get("trace_id").asText()).isEqualTo(id);
        Created upload = create();
        long before = recordsInKafka();
        assertProblem(post(gateway.url() + "/v1/traces", alice, "application/json", mine.replace("\"alice\"", "\"bob\"")),
                403, "forbidden");
        assertProblem(post(gateway.url() + "/v1/traces", upload.token, "application/json", mine), 401, "unauthorized");
        assertThat(recordsInKafka()).isEqualTo(before);

        // once the assembly has the trace (a row as the job writes it), a retried creation gets a new
        // upload token without a second header, and another participant cannot take the id
        try (var c = java.sql.DriverManager.getConnection(services.database.jdbcUrl(), "postgres", "postgres");
             var ps = c.prepareStatement("INSERT INTO traces (trace_id, participant_id, task_id, state, version, created_at,"
                     + " updated_at) VALUES (?, 'alice', 't', 'receiving', 1, now(), now())")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        var again = post(gateway.url() + "/v1/traces", alice, "application/json", mine);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(StrictJson.parse(again.body()).get("upload_token").asText()).isNotBlank();
        assertThat(recordsInKafka()).isEqualTo(before);
        String bobToken = StrictJson.parse(post(gateway.url() + "/v1/participants/bob/tokens", RESEARCHER, "application/json", "{}")
                .body()).get("token").asText();
        assertProblem(post(gateway.url() + "/v1/traces", bobToken, "application/json", mine.replace("\"alice\"", "\"bob\"")),
                409, "conflict");
    }

    /** QA as the pipeline stores it (rows as the job writes them), read back through GET /v1/traces/{id}. */
    @Test
    void aTraceShowsItsVerificationAndItsJudgementsPerRubricWithHistoryAndEnsemble() throws Exception {
        String id = "qa-" + java.util.UUID.randomUUID();
        try (var c = java.sql.DriverManager.getConnection(services.database.jdbcUrl(), "postgres", "postgres")) {
            try (var ps = c.prepareStatement("INSERT INTO traces (trace_id, participant_id, task_id, state, version, created_at,"
                    + " updated_at) VALUES (?, 'p', 't', 'complete', 3, now(), now())")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            try (var ps = c.prepareStatement("INSERT INTO qa_validations (trace_id, trace_digest, verifier, verdict, resolved, sandbox,"
                    + " tests, flaky, result, created_at) VALUES (?, 'd1', 'fail-to-pass-v1', 'resolved', true, 'namespace',"
                    + " '[{\"id\":\"t::a\",\"before\":\"failed\",\"after\":\"passed\"}]', '[]', '{}', now())")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            String insert = "INSERT INTO qa_judgements (trace_id, trace_digest, rubric, judge, overall, scores, result, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?::jsonb, '{}', now() - (? * interval '1 minute'))";
            Object[][] rows = {{"d0", "debugging@1", "heuristic-v1", 3.0, 3, 10}, {"d1", "debugging@1", "heuristic-v1", 4.5, 5, 2},
                {"d1", "debugging@1", "llm:m:prompt-v1:render-v1", 3.5, 3, 1}, {"d1", "debugging@2", "heuristic-v1", 4.4, 5, 0}};
            for (Object[] r : rows) {
                try (var ps = c.prepareStatement(insert)) {
                    ps.setString(1, id);
                    ps.setString(2, (String) r[0]);
                    ps.setString(3, (String) r[1]);
                    ps.setString(4, (String) r[2]);
                    ps.setDouble(5, (Double) r[3]);
                    ps.setString(6, "{\"causal_linking\":{\"score\":" + r[4] + ",\"justification\":\"x\",\"evidence\":[]}}");
                    ps.setInt(7, (Integer) r[5]);
                    ps.executeUpdate();
                }
            }
        }
        var r = researcherGet("/v1/traces/" + id);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode qa = StrictJson.parse(r.body()).get("qa");
        assertThat(qa.at("/verification/verdict").asText()).isEqualTo("resolved");
        assertThat(qa.at("/verification/tests/0/after").asText()).isEqualTo("passed");
        JsonNode v1 = qa.at("/judgements/debugging@1");
        assertThat(v1.at("/latest/heuristic-v1/overall").asDouble()).isEqualTo(4.5); // the newest, not the older 3.0
        assertThat(v1.get("latest")).hasSize(2);
        assertThat(v1.get("history")).hasSize(3);
        assertThat(v1.at("/ensemble/causal_linking/mean").asDouble()).isEqualTo(4.0);
        assertThat(v1.at("/ensemble/causal_linking/spread").asInt()).isEqualTo(2);
        assertThat(qa.at("/judgements/debugging@2/latest/heuristic-v1/overall").asDouble()).isEqualTo(4.4);
        assertThat(qa.at("/judgements/debugging@2").has("ensemble")).isFalse(); // one judge: no ensemble
    }

    /**
     * Erasure: every row and object of the participant's traces goes (an artifact another
     * participant's trace also cites stays), an audit record says what went, and the traces
     * answer 410 from then on — reads, uploads and re-creation alike.
     */
    @Test
    void erasingAParticipantRemovesTheirTracesEverywhereAndLeavesOthersAlone() throws Exception {
        Created mine = create();
        Created other = create();
        byte[] own = ("output of " + mine.id).getBytes(StandardCharsets.UTF_8);
        byte[] shared = ("shared by both " + mine.id).getBytes(StandardCharsets.UTF_8);
        String ownSha = Sha256.hex(Sha256.digest(own));
        String sharedSha = Sha256.hex(Sha256.digest(shared));
        assertThat(put(gateway.url() + "/v1/traces/" + mine.id + "/artifacts/" + ownSha, mine.token, own).statusCode()).isEqualTo(201);
        assertThat(put(gateway.url() + "/v1/traces/" + mine.id + "/artifacts/" + sharedSha, mine.token, shared).statusCode()).isEqualTo(201);
        // several artifacts of one trace, one of them also cited by another trace
        List<String> moreOwn = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] b = ("more output " + i + " of " + mine.id).getBytes(StandardCharsets.UTF_8);
            moreOwn.add(Sha256.hex(Sha256.digest(b)));
            assertThat(put(gateway.url() + "/v1/traces/" + mine.id + "/artifacts/" + moreOwn.get(i), mine.token, b).statusCode())
                    .isEqualTo(201);
        }
        services.s3.blobStore().putBlob(EmbeddedServices.BUCKET, services.s3.blobStore().blobBuilder("traces/dt=2026-11-27/" + mine.id + ".json")
                .payload("{}".getBytes(StandardCharsets.UTF_8)).build());
        String participant = "erase-me-" + mine.id.substring(0, 8);
        try (var c = java.sql.DriverManager.getConnection(services.database.jdbcUrl(), "postgres", "postgres")) {
            String insert = "INSERT INTO traces (trace_id, participant_id, task_id, state, version, document_uri, created_at, updated_at)"
                    + " VALUES (?, ?, 't', 'complete', 1, ?, now(), now())";
            for (Object[] t : new Object[][] {{mine.id, participant, "s3://prt/traces/dt=2026-11-27/" + mine.id + ".json"},
                {other.id, "someone-else", null}}) {
                try (var ps = c.prepareStatement(insert)) {
                    ps.setString(1, (String) t[0]);
                    ps.setString(2, (String) t[1]);
                    ps.setString(3, (String) t[2]);
                    ps.executeUpdate();
                }
            }
            String chunk = "INSERT INTO trace_event_chunks (trace_id, chunk_seq, first_seq, last_seq, events) VALUES (?, 0, 0, 0, ?::jsonb)";
            List<String> mineCites = new ArrayList<>(List.of(ownSha, sharedSha));
            mineCites.addAll(moreOwn);
            for (Object[] t : new Object[][] {{mine.id, mineCites}, {other.id, List.of(sharedSha)}}) {
                StringBuilder refs = new StringBuilder();
                for (Object sha : (List<?>) t[1]) {
                    refs.append(refs.length() == 0 ? "" : ",").append("\"artifact://sha256/").append(sha).append('"');
                }
                try (var ps = c.prepareStatement(chunk)) {
                    ps.setString(1, (String) t[0]);
                    ps.setString(2, "[{\"id\":\"ev-0\",\"payload\":{\"refs\":[" + refs + "]}}]");
                    ps.executeUpdate();
                }
            }
            try (var ps = c.prepareStatement("INSERT INTO qa_judgements (trace_id, trace_digest, rubric, judge, scores, result,"
                    + " created_at) VALUES (?, 'd', 'debugging@1', 'heuristic-v1', '{}', '{}', now())")) {
                ps.setString(1, mine.id);
                ps.executeUpdate();
            }
        }
        assertProblem(send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/participants/" + participant))
                .header("Authorization", "Bearer " + mine.token).DELETE()), 403, "forbidden");

        var erased = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/participants/" + participant))
                .header("Authorization", "Bearer " + RESEARCHER).DELETE());
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        JsonNode result = StrictJson.parse(erased.body());
        assertThat(result.get("traces_erased").asInt()).isEqualTo(1);
        assertThat(result.at("/counts/traces_rows").asInt()).isEqualTo(1);
        assertThat(result.at("/counts/trace_event_chunks_rows").asInt()).isEqualTo(1);
        assertThat(result.at("/counts/qa_judgements_rows").asInt()).isEqualTo(1);
        assertThat(result.at("/counts/documents").asInt()).isEqualTo(1);
        assertThat(result.at("/counts/artifacts").asInt()).isEqualTo(5);
        assertThat(result.at("/counts/artifacts_kept_shared").asInt()).isEqualTo(1);

        assertThat(services.s3.blobStore().blobExists(EmbeddedServices.BUCKET, "artifacts/sha256/" + ownSha)).isFalse();
        for (String sha : moreOwn) {
            assertThat(services.s3.blobStore().blobExists(EmbeddedServices.BUCKET, "artifacts/sha256/" + sha)).isFalse();
        }
        assertThat(services.s3.blobStore().blobExists(EmbeddedServices.BUCKET, "artifacts/sha256/" + sharedSha)).isTrue();
        assertThat(services.s3.blobStore().blobExists(EmbeddedServices.BUCKET, "traces/dt=2026-11-27/" + mine.id + ".json")).isFalse();
        assertProblem(researcherGet("/v1/traces/" + mine.id), 410, "gone");
        assertProblem(post(gateway.url() + "/v1/traces/" + mine.id + "/events:ingest", mine.token, "application/json", chunk(mine.id),
                "Idempotency-Key", "after-erasure"), 410, "gone");
        assertThat(researcherGet("/v1/traces/" + other.id).statusCode()).isEqualTo(200);
        try (var c = java.sql.DriverManager.getConnection(services.database.jdbcUrl(), "postgres", "postgres");
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT participant_id, requested_by, traces::text, counts::text FROM erasures ORDER BY id DESC LIMIT 1")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(participant);
            assertThat(rs.getString(2)).startsWith("researcher token from ");
            assertThat(rs.getString(3)).contains(mine.id);
            assertThat(rs.getString(4)).contains("\"documents\": 1");
        }
    }

    @Test
    void kafkaUnavailableIsARetryable503NeverA2xx() throws Exception {
        int deadPort = EmbeddedServices.freePort();
        try (GatewayProcess cut = GatewayProcess.start(JAR, EmbeddedServices.freePort(), env("127.0.0.1:" + deadPort, "2s"),
                services.dir.resolve("gateway-no-kafka.log"))) {
            var r = send(HttpRequest.newBuilder(URI.create(cut.url() + "/v1/traces"))
                    .header("Authorization", "Bearer " + RESEARCHER).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(createBody())));
            assertProblem(r, 503, "unavailable");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void servesItsOpenApiSchemasHealthAndMetrics() throws Exception {
        assertThat(get("/openapi.yml").body()).contains("/v1/traces/{id}/events:ingest");
        assertThat(StrictJson.parse(get("/v1/schemas/chunk").body()).at("/properties/events/maxItems").asInt()).isEqualTo(500);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").body()).contains("prt_gateway_kafka_ack_seconds");
    }

    @Test
    void listsTracesWithFiltersAndCursorsAndPagesEventsBySeq() throws Exception {
        String task = "task-" + System.nanoTime();
        try (var c = java.sql.DriverManager.getConnection(services.database.jdbcUrl(), "postgres", "postgres")) {
            for (int i = 0; i < 5; i++) {
                try (var ps = c.prepareStatement("INSERT INTO traces (trace_id, participant_id, task_id, state, version,"
                        + " event_count, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 3, ?, now())")) {
                    ps.setString(1, task + "-t" + i);
                    ps.setString(2, i % 2 == 0 ? "alice" : "bob");
                    ps.setString(3, task);
                    ps.setString(4, i == 4 ? "rejected" : "complete");
                    ps.setTimestamp(5, java.sql.Timestamp.from(java.time.Instant.parse("2026-11-20T10:00:00Z").plusSeconds(60L * i)));
                    ps.executeUpdate();
                }
            }
            try (var ps = c.prepareStatement("INSERT INTO trace_event_chunks VALUES (?, ?, ?, ?, ?::jsonb)")) {
                ps.setString(1, task + "-t0");
                ps.setLong(2, 0);
                ps.setLong(3, 0);
                ps.setLong(4, 2);
                ps.setString(5, "[{\"seq\":0,\"id\":\"a\"},{\"seq\":1,\"id\":\"b\"},{\"seq\":2,\"id\":\"c\"}]");
                ps.executeUpdate();
            }
        }
        JsonNode page1 = StrictJson.parse(researcherGet("/v1/traces?task=" + task + "&limit=2").body());
        assertThat(page1.get("traces")).extracting(t -> t.get("trace_id").asText()).containsExactly(task + "-t4", task + "-t3");
        JsonNode page2 = StrictJson.parse(researcherGet("/v1/traces?task=" + task + "&limit=2&cursor="
                + page1.get("next_cursor").asText()).body());
        assertThat(page2.get("traces")).extracting(t -> t.get("trace_id").asText()).containsExactly(task + "-t2", task + "-t1");
        JsonNode alice = StrictJson.parse(researcherGet("/v1/traces?task=" + task + "&participant=alice&state=complete"
                + "&from=2026-11-20T10:00:30Z&to=2026-11-20T10:05:00Z").body());
        assertThat(alice.get("traces")).extracting(t -> t.get("trace_id").asText()).containsExactly(task + "-t2");
        assertThat(alice.get("next_cursor").isNull()).isTrue();
        assertProblem(researcherGet("/v1/traces?cursor=garbage"), 400, "bad-cursor");

        JsonNode events = StrictJson.parse(researcherGet("/v1/traces/" + task + "-t0/events?from_seq=1&limit=1").body());
        assertThat(events.get("events")).extracting(e -> e.get("id").asText()).containsExactly("b");
        assertThat(events.get("next_seq").asLong()).isEqualTo(2);
        JsonNode trace = StrictJson.parse(researcherGet("/v1/traces/" + task + "-t4").body());
        assertThat(trace.get("state").asText()).isEqualTo("rejected");
        assertThat(trace.get("counts").get("events").asLong()).isEqualTo(3);
    }

    private static HttpResponse<String> researcherGet(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + RESEARCHER).GET());
    }

    // --- helpers ---

    record Created(String id, String token) {
    }

    private static String createBody() {
        return "{\"participant_id\":\"p-it\",\"task_id\":\"t\",\"task_title\":\"Leap day\",\"repo_origin\":\"o\","
                + "\"start_commit\":\"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\",\"consent\":{\"granted\":true}}";
    }

    private static Created create() throws Exception {
        var r = post(gateway.url() + "/v1/traces", RESEARCHER, "application/json", createBody());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode body = StrictJson.parse(r.body());
        return new Created(body.get("trace_id").asText(), body.get("upload_token").asText());
    }

    private static String chunk(String traceId) {
        HashChain chain = new HashChain(traceId);
        ObjectNode chunk = StrictJson.mapper().createObjectNode().put("chunk_id", "c0").put("chunk_seq", 0);
        var events = chunk.putArray("events");
        TraceFixtures.unchainedEvents().forEach(e -> events.add(chain.append(e)));
        return chunk.toString();
    }

    private static HttpResponse<String> post(String url, String token, String type, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    private static HttpResponse<String> put(String url, String token, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode p = StrictJson.parse(r.body());
        assertThat(p.get("type").asText()).isEqualTo("https://prtelemetry.dev/problems/" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("detail").asText()).isNotBlank();
    }

    private static List<String> pointers(HttpResponse<String> r) {
        List<String> out = new ArrayList<>();
        StrictJson.parse(r.body()).get("errors").forEach(e -> out.add(e.get("pointer").asText()));
        return out;
    }

    /** A JWT signed (or not, for alg none) as an attacker or an old client would make it. */
    private static String jwt(String traceId, long expiresInSeconds, String secret, String alg) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString(("{\"alg\":\"" + alg + "\"}").getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"iss\":\"prt-gateway\",\"aud\":\"upload\",\"sub\":\"" + traceId
                + "\",\"iat\":" + (now - 120) + ",\"exp\":" + (now + expiresInSeconds) + "}").getBytes(StandardCharsets.UTF_8));
        if (alg.equals("none")) {
            return header + "." + payload + ".";
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return header + "." + payload + "." + b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.UTF_8)));
    }

    private static long recordsInKafka() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.TRACE_RECORDS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static int objectsInS3() {
        return services.s3.blobStore().list(EmbeddedServices.BUCKET,
                org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()).size();
    }
}
