package dev.prtelemetry.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code ./prt demo [--stop]}: starts the stack if it is not running, uploads the example
 * sessions under {@code examples/} through the gateway (chained for the trace ids the gateway
 * issues, one chunk re-sent to show deduplication), waits for the assembly, and prints each
 * trace's state, integrity verdict and metrics. The stack keeps running unless {@code --stop}.
 */
public final class DemoMain {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean stop = rest.remove("--stop");
        boolean cluster = rest.remove("--cluster");
        int i = rest.indexOf("--data");
        Path data = Path.of(i >= 0 ? rest.get(i + 1) : ".prt-data").toAbsolutePath();
        Path root = Path.of(System.getProperty("prt.root", ".")).toAbsolutePath().normalize();
        String gateway = "http://127.0.0.1:" + System.getenv().getOrDefault("PRT_GATEWAY_PORT", "8000");

        if (StackMain.runningStack(data).isPresent() && cluster != Files.isRegularFile(data.resolve(ClusterStack.STATE_FILE))) {
            System.err.println("prt demo: " + (cluster ? "the embedded stack" : "the cluster") + " is running on " + data
                    + "; stop it with ./prt down first");
            System.exit(1);
        }
        if (StackMain.runningStack(data).isEmpty()) {
            System.out.println("prt demo: starting the " + (cluster ? "cluster (every part its own process)" : "stack")
                    + " in the background (log: " + data.resolve("logs/stack.out") + ")");
            Files.createDirectories(data.resolve("logs"));
            List<String> up = new ArrayList<>(List.of("setsid", root.resolve("prt").toString(), "up"));
            if (cluster) {
                up.add("--cluster");
            }
            new ProcessBuilder(up)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("logs/stack.out").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        }
        awaitReady(gateway, Duration.ofMinutes(3));
        String researcher = Files.readString(data.resolve("researcher.token")).strip();

        List<Path> examples;
        try (Stream<Path> dirs = Files.list(root.resolve("examples"))) {
            examples = dirs.filter(d -> Files.isRegularFile(d.resolve("trace.json"))).sorted().toList();
        }
        for (Path example : examples) {
            installOnce(example);
        }
        List<String[]> uploaded = new ArrayList<>();
        for (Path example : examples) {
            uploaded.add(new String[] {example.getFileName().toString(), upload(gateway, researcher, example)});
        }
        System.out.println();
        int failures = 0;
        for (String[] u : uploaded) {
            JsonNode t = awaitFinal(gateway, researcher, u[1], Duration.ofSeconds(90));
            failures += print(u[0], t) ? 0 : 1;
            // QA runs each test suite three times before and after the fix, in the sandbox: on the
            // cluster's first traces (cold caches, two busy cores) that took longer than 90 s
            printQa(awaitQa(gateway, researcher, u[1], Duration.ofSeconds(cluster ? 240 : 90)));
        }
        System.out.println("\nExplore: curl -H \"Authorization: Bearer $(cat " + data.resolve("researcher.token") + ")\" "
                + gateway + "/v1/traces");
        if (stop) {
            StackMain.down(data);
        } else {
            System.out.println("Flink's web UI: http://127.0.0.1:" + StackConfig.fromEnv(data, Path.of("."), System.getenv()).flinkRestPort() + "/");
            System.out.println("The stack keeps running; ./prt down stops it.");
            System.out.println("\nWeb console: " + gateway + "/console/  (sign in with the researcher token in "
                    + data.resolve("researcher.token") + ")");
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /**
     * Replays a recorded example as its recorder did — create, start snapshot, the recorded
     * chunks (one sent twice, as after a lost acknowledgement), completion — under a new trace
     * id (the events are re-chained for it, as a recorder chains them); returns the trace id.
     */
    static String upload(String gateway, String researcher, Path example) throws Exception {
        JsonNode doc = StrictJson.parse(Files.readAllBytes(example.resolve("trace.json")));
        byte[] bundle = Files.readAllBytes(example.resolve("trace/start.bundle"));
        String snapshot = dev.prtelemetry.schemas.integrity.Sha256.hex(dev.prtelemetry.schemas.integrity.Sha256.digest(bundle));
        ObjectNode create = StrictJson.mapper().createObjectNode();
        create.put("participant_id", doc.at("/session/participant_id").asText());
        create.put("task_id", doc.at("/task/id").asText());
        create.put("task_title", doc.at("/task/title").asText());
        if (doc.at("/task/description").isTextual()) {
            create.put("task_description", doc.at("/task/description").asText());
        }
        create.put("repo_origin", doc.at("/repo/origin").asText());
        create.put("start_commit", doc.at("/repo/start_commit").asText());
        if (doc.has("environment")) {
            create.set("environment", doc.get("environment"));
        }
        create.set("consent", doc.at("/session/consent"));
        create.put("start_snapshot_ref", new dev.prtelemetry.schemas.model.ArtifactRef(snapshot).uri());
        JsonNode created = StrictJson.parse(expect(201, post(gateway + "/v1/traces", researcher, create.toString(), null)));
        String traceId = created.get("trace_id").asText();
        String token = created.get("upload_token").asText();
        HttpResponse<String> stored = put(gateway + "/v1/traces/" + traceId + "/artifacts/" + snapshot, token, bundle);
        expect(stored.statusCode() == 200 ? 200 : 201, stored); // 200: stored by an earlier demo run

        List<Integer> sizes = new ArrayList<>();
        try (Stream<Path> files = Files.list(example.resolve("trace"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("chunk-")).sorted().toList()) {
                sizes.add(StrictJson.parse(Files.readAllBytes(f)).get("events").size());
            }
        }
        HashChain chain = new HashChain(traceId);
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(example.resolve("trace/events.jsonl"))) {
            if (!line.isBlank()) {
                ObjectNode e = (ObjectNode) StrictJson.parse(line);
                e.remove(List.of("seq", "prev_hash", "hash", "ts_server_s"));
                events.add(chain.append(e));
            }
        }
        List<String> chunks = new ArrayList<>();
        int at = 0;
        for (int c = 0; c < sizes.size(); c++) {
            ObjectNode chunk = StrictJson.mapper().createObjectNode().put("chunk_id", traceId + "-c" + c).put("chunk_seq", c);
            ArrayNode list = chunk.putArray("events");
            events.subList(at, at + sizes.get(c)).forEach(list::add);
            at += sizes.get(c);
            chunks.add(chunk.toString());
        }
        for (int c = 0; c < chunks.size(); c++) {
            expect(202, post(gateway + "/v1/traces/" + traceId + "/events:ingest", token, chunks.get(c), traceId + ":" + c));
        }
        // a client retry after a lost acknowledgement: the assembly drops it
        expect(202, post(gateway + "/v1/traces/" + traceId + "/events:ingest", token, chunks.get(0), traceId + ":0"));
        ObjectNode complete = StrictJson.mapper().createObjectNode()
                .put("final_seq", chain.nextSeq() - 1).put("chain_head", chain.head())
                .put("outcome", doc.at("/session/outcome").asText("unknown"));
        expect(202, post(gateway + "/v1/traces/" + traceId + "/complete", token, complete.toString(), null));
        System.out.printf("uploaded %-18s trace %s: %d events in %d chunks (+1 re-sent), start snapshot %s…%n",
                example.getFileName(), traceId, events.size(), chunks.size(), snapshot.substring(0, 12));
        return traceId;
    }

    static boolean print(String name, JsonNode t) {
        JsonNode m = t.path("metrics");
        JsonNode in = t.path("integrity");
        System.out.printf("%-16s %-9s verdict=%-8s events=%-3d duplicates_dropped=%d head=%s… merkle=%s…%n",
                name, t.path("state").asText(), in.path("verdict").asText(), in.path("event_count").asLong(),
                t.path("counts").path("duplicates_dropped").asLong(), in.path("chain_head").asText().substring(0, 12),
                in.path("merkle_root").asText().substring(0, 12));
        System.out.printf("%-16s duration %.0f s · %d edits in %d files (+%d/−%d) · %d commands %s · %d test runs, "
                        + "%d fail→pass · notes %s · %d commits%n", "",
                m.path("duration_s").asDouble(), m.path("file_edits").asLong(), m.path("files_touched").asLong(),
                m.path("lines_added").asLong(), m.path("lines_removed").asLong(), m.path("commands").asLong(),
                m.path("exit_codes"), m.path("test_runs").asLong(), m.path("tests_fail_to_pass").asLong(),
                m.path("notes_by_kind"), m.path("commits").asLong());
        if (in.path("reasons").size() > 0) {
            System.out.printf("%-16s reasons: %s%n", "", in.path("reasons"));
        }
        return "complete".equals(t.path("state").asText());
    }

    /**
     * A Node example is installed once, as on the developer's machine that recorded it
     * ({@code npm ci} in a scratch copy, the registry answering): that fills this machine's npm cache,
     * from which the verifier installs node_modules offline for the sandbox. Maven examples need
     * nothing: building this project filled the local repository with their plugins and JUnit.
     */
    static void installOnce(Path example) throws Exception {
        Path repo = example.resolve("repo");
        if (!Files.isRegularFile(repo.resolve("package-lock.json"))) {
            return;
        }
        Path scratch = Files.createTempDirectory("prt-demo-npm");
        try {
            new ProcessBuilder("cp", "-R", repo + "/.", scratch.toString()).inheritIO().start().waitFor();
            Process npm = new ProcessBuilder("npm", "ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund")
                    .directory(scratch.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (npm.waitFor() != 0) {
                System.out.println("prt demo: npm ci for " + example.getFileName() + " failed (is the npm registry reachable?); "
                        + "its verification will say node_modules could not be installed");
            }
        } catch (java.io.IOException e) {
            System.out.println("prt demo: npm is not available for " + example.getFileName() + ": " + e.getMessage());
        } finally {
            new ProcessBuilder("rm", "-rf", scratch.toString()).start().waitFor();
        }
    }

    static void awaitReady(String gateway, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the gateway at " + gateway + " did not become ready");
    }

    /** The trace's sandbox verification once the QA pipeline has one (null if none in time). */
    static JsonNode awaitQa(String gateway, String researcher, String traceId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/traces/" + traceId))
                    .header("Authorization", "Bearer " + researcher).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JsonNode v = StrictJson.parse(r.body()).at("/qa/verification");
                if (v.isObject()) {
                    return v;
                }
            }
            Thread.sleep(500);
        }
        return null;
    }

    static void printQa(JsonNode v) {
        if (v == null) {
            System.out.printf("%-16s qa: no verification yet%n", "");
            return;
        }
        long fixed = 0;
        List<String> failing = new ArrayList<>();
        for (JsonNode t : v.path("tests")) {
            if ("passed".equals(t.path("after").asText()) && !"passed".equals(t.path("before").asText())) {
                fixed++;
            }
            if (!"passed".equals(t.path("after").asText())) {
                failing.add(t.path("id").asText().replaceAll(".*::", ""));
            }
        }
        System.out.printf("%-16s qa: %s in the %s sandbox · %d tests, %d fail→pass%s%s%n", "", v.path("verdict").asText(),
                v.path("sandbox").asText(),
                v.path("tests").size(), fixed,
                failing.isEmpty() ? "" : " · still failing: " + failing, v.has("error") ? " · " + v.get("error").asText() : "");
    }

    static JsonNode awaitFinal(String gateway, String researcher, String traceId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/traces/" + traceId))
                    .header("Authorization", "Bearer " + researcher).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                last = StrictJson.parse(r.body());
                String state = last.path("state").asText();
                if (List.of("complete", "rejected", "abandoned").contains(state) && last.hasNonNull("document_uri")) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("trace " + traceId + " did not finish; last seen: " + last);
    }

    private static HttpResponse<String> put(String url, String token, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String token, String body, String idempotencyKey) throws Exception {
        return post(HTTP, url, token, body, idempotencyKey);
    }

    /**
     * {@link #post} retried as the recorder retries (Uploader): on 429, 5xx or no answer, the same
     * request again (same Idempotency-Key) after a backoff from 0.5 s doubling to 5 s, until
     * {@code giveUpAfter}; {@code onRetry} hears each retry's status (-1: no answer). Returns the
     * first other answer, or the last retryable one; throws if the last attempt got no answer.
     */
    static HttpResponse<String> postRetrying(HttpClient http, String url, String token, String body, String idempotencyKey,
                                             Duration giveUpAfter, java.util.function.IntConsumer onRetry)
            throws IOException, InterruptedException {
        long backoff = 500;
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        while (true) {
            HttpResponse<String> r = null;
            IOException failure = null;
            try {
                r = post(http, url, token, body, idempotencyKey);
                if (r.statusCode() != 429 && r.statusCode() < 500) {
                    return r;
                }
            } catch (IOException e) {
                failure = e;
            }
            if (System.nanoTime() + backoff * 1_000_000L > deadline) {
                if (r != null) {
                    return r;
                }
                throw failure;
            }
            onRetry.accept(r == null ? -1 : r.statusCode());
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, 5000);
        }
    }

    /** A JSON POST to the gateway as recorders send it: bearer token, optional Idempotency-Key. */
    static HttpResponse<String> post(HttpClient http, String url, String token, String body, String idempotencyKey)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String expect(int status, HttpResponse<String> r) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
