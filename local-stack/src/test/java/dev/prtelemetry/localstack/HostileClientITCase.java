package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
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
 * Issue 13's fuzz suite, against the whole stack (the gateway process, Kafka, the Flink assembly,
 * PostgreSQL): valid chunks, creation and completion requests mutated in bytes, encodings,
 * numbers, strings, nesting and fields, from a fixed seed ({@code -Dprt.fuzz.seed}, and
 * {@code -Dprt.fuzz.traces}, {@code -Dprt.fuzz.mutants} for a longer run). It asserts what a
 * client may rely on:
 * <ul>
 * <li>every answer is 2xx or 4xx, and every 4xx is {@code application/problem+json} whose status
 * is the answer's;</li>
 * <li>every acknowledged chunk is on Kafka exactly as sent (its digest, its bytes), and nothing
 * refused is;</li>
 * <li>a trace whose acknowledged chunks are the original ones is assembled complete and verified
 * with exactly their events; a trace where a mutant was acknowledged (a mutation can leave a valid
 * document: a flipped hex digit in a hash) ends in a final state, with a reason about its content
 * — never waiting, never unreadable.</li>
 * </ul>
 */
class HostileClientITCase {
    @TempDir
    static Path dir;
    static LocalStack stack;
    static String researcher;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = EmbeddedServices.stackEnv();
        env.put("PRT_RATE_PER_SECOND", "100000");
        env.put("PRT_RATE_BURST", "100000");
        stack = LocalStack.start(StackConfig.fromEnv(dir.resolve("data"), Path.of("..").toAbsolutePath().normalize(), env));
        researcher = Files.readString(dir.resolve("data/researcher.token")).strip();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** How the run went: answers per status, requests per mutation class. */
    static final Map<Integer, Integer> STATUSES = new TreeMap<>();
    static final Map<String, Integer> CLASSES = new TreeMap<>();

    @Test
    void mutatedRequestsGetOnly2xxOr4xxProblemsAndEveryAcknowledgedChunkIsAssembledExactly() throws Exception {
        long seed = Long.getLong("prt.fuzz.seed", 20261201L);
        int traces = Integer.getInteger("prt.fuzz.traces", 10);
        int mutants = Integer.getInteger("prt.fuzz.mutants", 30);
        Random rnd = new Random(seed);
        Map<String, List<String>> acknowledgedDigests = new LinkedHashMap<>();
        Map<String, List<JsonNode>> acknowledgedChunks = new LinkedHashMap<>();
        Map<String, String> chainHeads = new LinkedHashMap<>();
        Map<String, List<JsonNode>> originalEvents = new LinkedHashMap<>();
        Map<String, Boolean> clean = new LinkedHashMap<>();
        int requests = 0;

        for (int t = 0; t < traces; t++) {
            // creation, mutated first; then the real one
            String createBody = createBody("fuzz-" + seed + "-" + t);
            for (int m = 0; m < mutants / 3; m++) {
                Mutant mu = mutate(createBody, rnd);
                HttpResponse<String> r = post("/v1/traces", researcher, mu.bytes, null);
                requests++;
                check(r, mu);
            }
            HttpResponse<String> created = post("/v1/traces", researcher, createBody.getBytes(StandardCharsets.UTF_8), null);
            requests++;
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode c = StrictJson.parse(created.body());
            String id = c.get("trace_id").asText();
            String token = c.get("upload_token").asText();
            HashChain chain = new HashChain(id);
            List<JsonNode> events = new ArrayList<>();
            TraceFixtures.unchainedEvents().forEach(e -> events.add(chain.append(e)));
            originalEvents.put(id, events);
            acknowledgedDigests.put(id, new ArrayList<>());
            acknowledgedChunks.put(id, new ArrayList<>());
            chainHeads.put(id, events.get(8).get("hash").asText());
            clean.put(id, true);
            int slotMutants = rnd.nextInt(mutants + 1); // some traces get few mutants, so that some stay clean
            for (int k = 0; k < 3; k++) {
                ObjectNode chunk = StrictJson.mapper().createObjectNode().put("trace_id", id).put("chunk_id", id + "-c" + k).put("chunk_seq", k);
                ArrayNode arr = chunk.putArray("events");
                events.subList(3 * k, 3 * k + 3).forEach(arr::add);
                String text = chunk.toString();
                boolean taken = false;
                for (int m = 0; m < slotMutants && !taken; m++) {
                    Mutant mu = mutate(text, rnd);
                    HttpResponse<String> r = post("/v1/traces/" + id + "/events:ingest", token, mu.bytes, "m-" + k + "-" + m);
                    requests++;
                    check(r, mu);
                    if (r.statusCode() == 202) { // a mutant that is still a valid chunk: it is this slot's chunk now
                        acknowledgedDigests.get(id).add(StrictJson.parse(r.body()).get("digest").asText());
                        acknowledgedChunks.get(id).add(StrictJson.parse(mu.bytes));
                        clean.put(id, false);
                        taken = true;
                    }
                }
                if (!taken) {
                    HttpResponse<String> r = post("/v1/traces/" + id + "/events:ingest", token, text.getBytes(StandardCharsets.UTF_8), "c-" + k);
                    requests++;
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    acknowledgedDigests.get(id).add(StrictJson.parse(r.body()).get("digest").asText());
                    acknowledgedChunks.get(id).add(StrictJson.parse(text));
                }
            }
            String complete = "{\"final_seq\":8,\"chain_head\":\"" + events.get(8).get("hash").asText() + "\",\"outcome\":\"fixed\"}";
            for (int m = 0; m < mutants / 6; m++) {
                Mutant mu = mutate(complete, rnd);
                // a mutant completion that is still valid (another final_seq) would end the trace its way: send only the refused kinds
                if (parsesAsValidComplete(mu.bytes)) {
                    continue;
                }
                HttpResponse<String> r = post("/v1/traces/" + id + "/complete", token, mu.bytes, null);
                requests++;
                check(r, mu);
                assertThat(r.statusCode()).as(mu.kind + ": " + r.body()).isBetween(400, 499);
            }
            HttpResponse<String> done = post("/v1/traces/" + id + "/complete", token, complete.getBytes(StandardCharsets.UTF_8), null);
            requests++;
            assertThat(done.statusCode()).as(done.body()).isEqualTo(202);
        }

        // every acknowledged chunk is on Kafka exactly as acknowledged; nothing else of these traces is
        Map<String, List<String>> onKafka = chunkDigestsOnKafka(acknowledgedDigests.keySet());
        for (var e : acknowledgedDigests.entrySet()) {
            assertThat(onKafka.getOrDefault(e.getKey(), List.of())).as("chunks of " + e.getKey() + " on Kafka").containsExactlyElementsOf(e.getValue());
        }

        // the assembly against an oracle computed here from the acknowledged chunks alone: when they form chunks 0..2
        // of a chain that verifies and ends at the declared head, the trace is complete, verified, with exactly their
        // events; otherwise it ends rejected or abandoned with a reason — never complete with anything else
        int dirty = 0;
        int dirtyButValid = 0;
        for (var e : originalEvents.entrySet()) {
            String id = e.getKey();
            JsonNode trace = awaitFinal(id);
            List<JsonNode> acked = acknowledgedChunks.get(id);
            List<JsonNode> ackedEvents = new ArrayList<>();
            boolean seqsInOrder = true;
            for (int k = 0; k < acked.size(); k++) {
                seqsInOrder &= acked.get(k).path("chunk_seq").asLong(-1) == k && acked.get(k).path("trace_id").asText(id).equals(id);
                acked.get(k).get("events").forEach(ackedEvents::add);
            }
            boolean oracleComplete = seqsInOrder && ackedEvents.size() == 9
                    && dev.prtelemetry.schemas.integrity.TraceVerifier.verify(id, ackedEvents).intact()
                    && ackedEvents.get(8).path("hash").asText().equals(chainHeads.get(id));
            if (!clean.get(id)) {
                dirty++;
                dirtyButValid += oracleComplete ? 1 : 0;
            }
            if (oracleComplete) {
                assertThat(trace.get("state").asText()).as(trace.toString()).isEqualTo("complete");
                assertThat(trace.at("/integrity/verdict").asText()).as(trace.toString()).isEqualTo("verified");
                assertThat(RecorderITCase.withoutServerTime(serverEvents(id)))
                        .as("the events assembled are exactly the acknowledged ones")
                        .isEqualTo(RecorderITCase.withoutServerTime(ackedEvents.stream().map(n -> (ObjectNode) n).toList()));
            } else {
                assertThat(clean.get(id)).as("the original chunks always verify").isFalse();
                assertThat(trace.get("state").asText()).as(trace.toString()).isIn("rejected", "abandoned");
                assertThat(trace.at("/integrity/reasons").size()).as(trace.toString()).isPositive();
            }
        }
        System.out.printf("hostile run (seed %d): %d requests, statuses %s, mutation classes %s, %d traces (%d with an acknowledged "
                + "mutant that was still a valid chunk, %d of them still a verifiable trace)%n", seed, requests, STATUSES, CLASSES, traces, dirty,
                dirtyButValid);
        assertThat(STATUSES.keySet()).allSatisfy(s -> assertThat(s).isLessThan(500));
    }

    record Mutant(String kind, byte[] bytes) {
    }

    static void check(HttpResponse<String> r, Mutant mu) {
        STATUSES.merge(r.statusCode(), 1, Integer::sum);
        CLASSES.merge(mu.kind, 1, Integer::sum);
        assertThat(r.statusCode()).as(mu.kind + ": " + r.body()).isBetween(200, 499);
        if (r.statusCode() >= 400) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(mu.kind + ": " + r.body()).startsWith("application/problem+json");
            JsonNode p = StrictJson.parse(r.body());
            assertThat(p.get("status").asInt()).as(mu.kind).isEqualTo(r.statusCode());
            assertThat(p.get("type").asText()).as(mu.kind).startsWith("https://prtelemetry.dev/problems/");
            assertThat(p.get("detail").asText()).as(mu.kind).isNotBlank();
        }
    }

    static final String[] NUMBERS = {"9007199254740992", "9223372036854775808", "18446744073709551616", "-9007199254740992", "1e400",
            "-1e400", "1e-400", "-1", "1.5", "0.0", "-0", "\"7\"", "null", "true", "[]", "{}", "1E2", "00", "0x10", "NaN", "Infinity"};
    static final String[] STRINGS = {"\\ud800", "\\udfff", "\\ud800\\u0041", "\\u0000", "", "\\\\", "\\\"", "\u00e9\u00e9", "\ud83d\ude00"};

    /** One random mutation of a valid JSON document, and the class it belongs to. */
    static Mutant mutate(String json, Random rnd) {
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        switch (rnd.nextInt(12)) {
            case 0 -> {
                byte[] b = utf8.clone();
                int i = rnd.nextInt(b.length);
                b[i] ^= (byte) (1 + rnd.nextInt(255));
                return new Mutant("bytes:flip", b);
            }
            case 1 -> {
                int i = rnd.nextInt(utf8.length);
                byte[] b = new byte[utf8.length + 1];
                System.arraycopy(utf8, 0, b, 0, i);
                b[i] = (byte) rnd.nextInt(256);
                System.arraycopy(utf8, i, b, i + 1, utf8.length - i);
                return new Mutant("bytes:insert", b);
            }
            case 2 -> {
                return new Mutant("bytes:truncate", java.util.Arrays.copyOf(utf8, rnd.nextInt(utf8.length)));
            }
            case 3 -> {
                String[] cs = {"UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "UTF-32LE", "BOM"};
                String which = cs[rnd.nextInt(cs.length)];
                if (which.equals("BOM")) {
                    byte[] b = new byte[utf8.length + 3];
                    b[0] = (byte) 0xEF;
                    b[1] = (byte) 0xBB;
                    b[2] = (byte) 0xBF;
                    System.arraycopy(utf8, 0, b, 3, utf8.length);
                    return new Mutant("encoding:bom", b);
                }
                return new Mutant("encoding:" + which.toLowerCase(), json.getBytes(java.nio.charset.Charset.forName(which)));
            }
            case 4 -> {
                // raw bytes no strict UTF-8 decoder accepts, inside a string
                byte[][] bad = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                        {(byte) 0xFF}, {(byte) 0xC3}};
                return new Mutant("encoding:invalid-utf8", insertInString(utf8, bad[rnd.nextInt(bad.length)], rnd));
            }
            case 5, 6 -> {
                String out = replaceNumber(json, NUMBERS[rnd.nextInt(NUMBERS.length)], rnd);
                return new Mutant("numbers", out.getBytes(StandardCharsets.UTF_8));
            }
            case 7 -> {
                String s = STRINGS[rnd.nextInt(STRINGS.length)];
                return new Mutant("strings", insertInString(utf8, s.getBytes(StandardCharsets.UTF_8), rnd));
            }
            case 8 -> {
                int depth = 1 + rnd.nextInt(5000);
                String nest = "[".repeat(depth) + "]".repeat(depth);
                return new Mutant("nesting", json.replaceFirst("\\{", "{\"deep\":" + nest + ",").getBytes(StandardCharsets.UTF_8));
            }
            case 9 -> {
                JsonNode n = StrictJson.parse(utf8);
                List<String> names = new ArrayList<>();
                n.fieldNames().forEachRemaining(names::add);
                String f = names.get(rnd.nextInt(names.size()));
                ObjectNode o = ((ObjectNode) n).deepCopy();
                switch (rnd.nextInt(3)) {
                    case 0 -> o.remove(f);
                    case 1 -> o.put(f, "wrong type");
                    default -> o.put("unexpected_" + rnd.nextInt(100), 1);
                }
                return new Mutant("fields", o.toString().getBytes(StandardCharsets.UTF_8));
            }
            case 10 -> {
                // a duplicate key, written as text (no JSON library would produce it)
                return new Mutant("fields:duplicate-key", json.replaceFirst("\\{\"([a-z_]+)\":", "{\"$1\":0,\"$1\":").getBytes(StandardCharsets.UTF_8));
            }
            default -> {
                // structure: an array where an object is, a trailing value, an empty body
                String[] forms = {"[" + json + "]", json + json, "", " ", json + ",", "{" + json + "}"};
                return new Mutant("structure", forms[rnd.nextInt(forms.length)].getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] insertInString(byte[] utf8, byte[] what, Random rnd) {
        String s = new String(utf8, StandardCharsets.ISO_8859_1);
        List<Integer> quotes = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '"' && (i == 0 || s.charAt(i - 1) != '\\') && i + 1 < s.length() && s.charAt(i + 1) != ':'
                    && s.charAt(i + 1) != ',' && s.charAt(i + 1) != '}') {
                quotes.add(i + 1);
            }
        }
        int at = quotes.isEmpty() ? 0 : quotes.get(rnd.nextInt(quotes.size()));
        byte[] b = new byte[utf8.length + what.length];
        System.arraycopy(utf8, 0, b, 0, at);
        System.arraycopy(what, 0, b, at, what.length);
        System.arraycopy(utf8, at, b, at + what.length, utf8.length - at);
        return b;
    }

    private static String replaceNumber(String json, String with, Random rnd) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<=[:\\[,])-?[0-9][0-9.eE+-]*").matcher(json);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
            return json + with;
        }
        int[] s = spans.get(rnd.nextInt(spans.size()));
        return json.substring(0, s[0]) + with + json.substring(s[1]);
    }

    private static boolean parsesAsValidComplete(byte[] body) {
        try {
            JsonNode n = StrictJson.parse(body);
            return dev.prtelemetry.schemas.validation.TraceSchemas.get()
                    .validate(dev.prtelemetry.schemas.validation.SchemaName.COMPLETE_REQUEST, n).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String createBody(String participant) {
        return "{\"participant_id\":\"" + participant + "\",\"task_id\":\"fuzz\",\"task_title\":\"Leap day\",\"repo_origin\":\"o\","
                + "\"start_commit\":\"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\",\"consent\":{\"granted\":true}}";
    }

    static HttpResponse<String> post(String path, String token, byte[] body, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .header("Authorization", "Bearer " + researcher).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StrictJson.parse(r.body());
    }

    static List<ObjectNode> serverEvents(String traceId) throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        get("/v1/traces/" + traceId + "/events?from_seq=0&limit=500").get("events").forEach(e -> out.add((ObjectNode) e));
        return out;
    }

    static JsonNode awaitFinal(String traceId) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/traces/" + traceId))
                    .header("Authorization", "Bearer " + researcher).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                last = StrictJson.parse(r.body());
                if (List.of("complete", "rejected", "abandoned").contains(last.get("state").asText())) {
                    return last;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("trace " + traceId + " did not end: " + last);
    }

    /** The digests of the chunk records of these traces on prt.trace-records, per trace, in offset order. */
    static Map<String, List<String>> chunkDigestsOnKafka(java.util.Set<String> traces) {
        Map<String, List<String>> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(Topics.TRACE_RECORDS).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    JsonNode rec = StrictJson.parse(r.value());
                    String trace = rec.path("trace_id").asText();
                    if (traces.contains(trace) && "chunk".equals(rec.path("kind").asText())) {
                        // the record carries the chunk as sent, and the digest the 202 named
                        out.computeIfAbsent(trace, k -> new ArrayList<>()).add(rec.get("digest").asText());
                    }
                }
            }
        }
        return out;
    }
}
