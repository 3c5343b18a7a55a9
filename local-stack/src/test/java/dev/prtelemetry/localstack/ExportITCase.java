package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.export.Export;
import dev.prtelemetry.flink.export.ExportFiles;
import dev.prtelemetry.flink.export.ExportJob;
import dev.prtelemetry.flink.export.ExportSelection;
import dev.prtelemetry.flink.export.ExportVerifier;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.json.StrictJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports from the whole stack: the demo's examples (verified and judged in the sandbox) and a
 * bench run, exported by the BATCH job. Every Parquet row read back by DuckDB equals what
 * PostgreSQL holds of its trace; the filters choose what the same question asked of PostgreSQL
 * chooses; an erased participant's traces are in no later export and the erasure names the
 * exports that held them; the verifier accepts the export.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExportITCase {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static LocalStack stack;
    static String researcher;
    static String gateway;
    static ExportJob.Stores stores;
    static Map<String, String> examples = new TreeMap<>(); // example → trace id
    static String evaluationOnly;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = EmbeddedServices.stackEnv();
        stack = LocalStack.start(StackConfig.fromEnv(dir.resolve("data"), ROOT, env));
        researcher = Files.readString(dir.resolve("data/researcher.token")).strip();
        gateway = stack.gatewayUrl();
        stores = new ExportJob.Stores(stack.jdbcUrl(), "postgres", "postgres",
                env.getOrDefault("PRT_ARTIFACTS_URI", "s3://" + env.getOrDefault("PRT_S3_BUCKET", "prt")));
        for (String example : List.of("dates-leap-day", "cart-discount", "auth-token-expiry")) {
            examples.put(example, DemoMain.upload(gateway, researcher, ROOT.resolve("examples").resolve(example)));
        }
        evaluationOnly = smallTrace("evaluator-1", "[\"evaluation\"]");
        new BenchMain.Bench(gateway, researcher, stack.jdbcUrl(), new BenchMain.Options(4, 2000, 4, 20, 100, 0, 0)).run();
        for (String id : examples.values()) {
            assertThat(DemoMain.awaitQa(gateway, researcher, id, Duration.ofSeconds(300))).as("verification of " + id).isNotNull();
        }
        // every complete trace judged, and nothing still arriving
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline && !(query("SELECT count(*) FROM traces WHERE state IN ('open', 'receiving')").equals("0")
                && query("SELECT count(*) FROM traces t WHERE state = 'complete' AND NOT EXISTS"
                + " (SELECT 1 FROM qa_judgements j WHERE j.trace_id = t.trace_id)").equals("0"))) {
            Thread.sleep(500);
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A complete five-event trace created with the given consent scopes. */
    static String smallTrace(String participant, String scopes) throws Exception {
        String body = BenchMain.Bench.createBody(0, null).replace("bench-0", participant).replace("\"task_id\":\"bench\"",
                "\"task_id\":\"small\"").replace("{\"granted\":true}", "{\"granted\":true,\"scopes\":" + scopes + "}");
        JsonNode created = StrictJson.parse(send("POST", "/v1/traces", researcher, body, 201));
        String id = created.get("trace_id").asText();
        HashChain chain = new HashChain(id);
        ObjectNode chunk = BenchMain.Bench.chunk(id, chain, 0, 5, new SplittableRandom(3));
        send("POST", "/v1/traces/" + id + "/events:ingest", created.get("upload_token").asText(), chunk.toString(), 202);
        send("POST", "/v1/traces/" + id + "/complete", created.get("upload_token").asText(), StrictJson.mapper().createObjectNode()
                .put("final_seq", chain.nextSeq() - 1).put("chain_head", chain.head()).toString(), 202);
        return id;
    }

    static String send(String method, String path, String token, String body, int expect) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway + path)).header("Authorization", "Bearer " + token);
        if (path.endsWith("events:ingest")) {
            b = b.header("Idempotency-Key", path + ":0");
        }
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expect);
        return r.body();
    }

    static ObjectNode export(String name, ExportFiles.Format format, ExportSelection.Filters filters) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("rest.bind-port", "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        LinkedHashMap<String, Double> splits = new LinkedHashMap<>();
        splits.put("train", 0.8);
        splits.put("test", 0.2);
        return Export.run(env, new Export.Options(dir.resolve(name), format, filters, 42, splits, 7, "test export " + name), stores);
    }

    static ExportSelection.Filters none() {
        return new ExportSelection.Filters(false, null, null, null, null, null, null);
    }

    static TreeSet<String> ids(JsonNode manifest) {
        TreeSet<String> out = new TreeSet<>();
        manifest.get("traces").forEach(t -> out.add(t.get("trace_id").asText()));
        return out;
    }

    static TreeSet<String> column(String sql, Object... args) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static String query(String sql) throws Exception {
        return String.join(" ", column(sql));
    }

    static final String COMPLETE = "SELECT trace_id FROM traces WHERE state = 'complete' AND verdict = 'verified'";

    @Test
    @Order(1)
    void everyParquetRowReadByDuckDbIsWhatPostgresHolds() throws Exception {
        ObjectNode manifest = export("all", ExportFiles.Format.PARQUET, none());
        assertThat(ids(manifest)).isEqualTo(column(COMPLETE)).hasSizeGreaterThan(5).containsAll(examples.values());
        assertThat(manifest.get("files").size()).isGreaterThan(1); // 7 rows to a file
        Map<String, JsonNode> rows = new TreeMap<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            for (JsonNode f : manifest.get("files")) {
                try (ResultSet rs = s.executeQuery("SELECT trace_id, to_json(t)::VARCHAR FROM read_parquet('"
                        + dir.resolve("all").resolve(f.get("path").asText()) + "') t")) {
                    while (rs.next()) {
                        rows.put(rs.getString(1), StrictJson.parseAccepted(rs.getString(2)));
                    }
                }
            }
        }
        assertThat(rows.keySet()).isEqualTo(ids(manifest));
        Map<String, String> taskSplit = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), "postgres", "postgres")) {
            for (JsonNode row : rows.values()) {
                String id = row.get("trace_id").asText();
                try (PreparedStatement ps = c.prepareStatement("SELECT t.task_id, t.chain_head, t.merkle_root, t.event_count,"
                        + " c.scopes::text, c.text_version FROM traces t JOIN trace_consents c USING (trace_id) WHERE trace_id = ?")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(row.get("task_id").asText()).isEqualTo(rs.getString(1));
                        assertThat(row.get("chain_head").asText()).isEqualTo(rs.getString(2));
                        assertThat(row.get("merkle_root").asText()).isEqualTo(rs.getString(3));
                        assertThat(row.get("event_count").asLong()).isEqualTo(rs.getLong(4));
                        assertThat(row.get("consent_scopes").toString().replace("\"", "").replace("[", "{").replace("]", "}"))
                                .isEqualTo(rs.getString(5));
                        assertThat(row.get("consent_text_version").asText()).isEqualTo(rs.getString(6));
                    }
                }
                // the events, hash by hash, as the chunk rows hold them
                List<String> hashes = new ArrayList<>();
                row.get("events").forEach(e -> hashes.add(e.get("seq").asLong() + ":" + e.get("hash").asText()));
                List<String> stored = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT (e->>'seq') || ':' || (e->>'hash') FROM trace_event_chunks,"
                        + " jsonb_array_elements(events::jsonb) e WHERE trace_id = ? ORDER BY (e->>'seq')::bigint")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            stored.add(rs.getString(1));
                        }
                    }
                }
                assertThat(hashes).as("events of " + id).isEqualTo(stored);
                // the newest verification and every (rubric, judge)'s newest judgement
                try (PreparedStatement ps = c.prepareStatement("SELECT verdict, verifier FROM qa_validations WHERE trace_id = ?"
                        + " ORDER BY created_at DESC LIMIT 1")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            assertThat(row.get("verdict").asText()).isEqualTo(rs.getString(1));
                            assertThat(row.get("verifier").asText()).isEqualTo(rs.getString(2));
                        } else {
                            assertThat(row.get("verdict").isNull()).isTrue();
                        }
                    }
                }
                TreeSet<String> judged = new TreeSet<>();
                row.get("judgements").forEach(j -> judged.add(j.get("rubric").asText() + " " + j.get("judge").asText() + " "
                        + (j.get("overall").isNull() ? "null" : String.valueOf(j.get("overall").asDouble()))));
                TreeSet<String> stored2 = new TreeSet<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT ON (rubric, judge) rubric || ' ' || judge || ' '"
                        + " || coalesce(overall::text, 'null') FROM qa_judgements WHERE trace_id = ? ORDER BY rubric, judge, created_at DESC")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            stored2.add(rs.getString(1).replaceAll(" (\\d+)$", " $1.0"));
                        }
                    }
                }
                assertThat(judged).as("judgements of " + id).isEqualTo(stored2);
                assertThat(taskSplit.putIfAbsent(row.get("task_id").asText(), row.get("split").asText()))
                        .as("a task in one split").isIn(null, row.get("split").asText());
            }
        }
        JsonNode dates = rows.get(examples.get("dates-leap-day"));
        assertThat(dates.get("verdict").asText()).isEqualTo("resolved");
        assertThat(dates.get("fail_to_pass")).isNotEmpty();
        assertThat(dates.get("final_patch").asText()).contains("dates/parse.py");
        assertThat(dates.get("patch").asText()).contains("dates/parse.py");
        assertThat(ExportVerifier.verify(dir.resolve("all")).problems()).isEmpty();
        // registered for erasures
        assertThat(column("SELECT count(*) FROM export_traces WHERE export_id = ?", manifest.get("export_id").asLong()))
                .containsExactly(String.valueOf(rows.size()));
    }

    @Test
    @Order(2)
    void filtersChooseWhatTheSameQuestionToPostgresChooses() throws Exception {
        TreeSet<String> verified = ids(export("verified", ExportFiles.Format.JSONL,
                new ExportSelection.Filters(true, null, null, null, null, null, null)));
        assertThat(verified).isEqualTo(column(COMPLETE + " AND (SELECT resolved FROM qa_validations v WHERE v.trace_id = traces.trace_id"
                + " ORDER BY created_at DESC LIMIT 1)")).contains(examples.get("dates-leap-day"))
                .doesNotContain(examples.get("auth-token-expiry"));

        String rubric = query("SELECT rubric FROM qa_judgements GROUP BY rubric ORDER BY count(*) DESC LIMIT 1");
        TreeSet<String> scores = column("SELECT overall::text FROM qa_judgements WHERE rubric = ? AND overall IS NOT NULL", rubric);
        assertThat(scores).as("judged on " + rubric).hasSizeGreaterThan(1);
        double threshold = scores.stream().mapToDouble(Double::parseDouble).max().orElseThrow();
        TreeSet<String> best = ids(export("best", ExportFiles.Format.JSONL,
                new ExportSelection.Filters(false, rubric, threshold, null, null, null, null)));
        assertThat(best).isNotEmpty().isEqualTo(column(COMPLETE + " AND (SELECT overall FROM qa_judgements j WHERE"
                + " j.trace_id = traces.trace_id AND rubric = ? AND overall IS NOT NULL ORDER BY created_at DESC LIMIT 1) >= ?", rubric,
                threshold));
        assertThat(best.size()).isLessThan(column(COMPLETE).size());

        TreeSet<String> training = ids(export("training", ExportFiles.Format.JSONL,
                new ExportSelection.Filters(false, null, null, "training", null, null, null)));
        assertThat(training).doesNotContain(evaluationOnly).isEqualTo(column(COMPLETE + " AND trace_id IN (SELECT trace_id FROM"
                + " trace_consents WHERE 'training' = ANY (scopes))"));
        assertThat(ids(export("evaluation", ExportFiles.Format.JSONL,
                new ExportSelection.Filters(false, null, null, "evaluation", null, null, null)))).contains(evaluationOnly);
        assertThat(ids(export("one-task", ExportFiles.Format.JSONL,
                new ExportSelection.Filters(false, null, null, null, "dates-leap-day", null, null))))
                .containsExactly(examples.get("dates-leap-day"));

        // Python's json module reads the JSONL line by line
        Process p = new ProcessBuilder("python3", "-c", "import json, glob, sys\nn = 0\nfor f in sorted(glob.glob(sys.argv[1] + '/data/*.jsonl')):\n"
                + "    for line in open(f, encoding='utf-8'):\n        r = json.loads(line); assert r['events'][0]['seq'] == 0; n += 1\nprint(n)",
                dir.resolve("verified").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo(String.valueOf(verified.size()));
    }

    @Test
    @Order(3)
    void theSweBenchExportOfTheVerifiedExamplesResolvesWithItsGoldPatches() throws Exception {
        ObjectNode manifest = export("swebench", ExportFiles.Format.SWEBENCH,
                new ExportSelection.Filters(true, null, null, null, null, null, null));
        TreeSet<String> resolved = column(COMPLETE + " AND (SELECT resolved FROM qa_validations v WHERE v.trace_id = traces.trace_id"
                + " ORDER BY created_at DESC LIMIT 1)");
        assertThat(ids(manifest)).contains(examples.get("dates-leap-day"), examples.get("cart-discount"))
                .doesNotContain(examples.get("auth-token-expiry")).isSubsetOf(resolved);
        assertThat(manifest.get("repos")).hasSize(ids(manifest).size());
        assertThat(ExportVerifier.verify(dir.resolve("swebench")).problems()).isEmpty();
        Path instances = dir.resolve("swebench").resolve(manifest.get("files").get(0).get("path").asText());
        JsonNode first = StrictJson.parse(Files.readAllLines(instances).get(0));
        for (String field : List.of("instance_id", "repo", "base_commit", "patch", "test_patch", "FAIL_TO_PASS", "PASS_TO_PASS",
                "problem_statement")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        // ./prt qa swebench's own jar, on the files as exported: every gold patch resolves its instance
        Path jar = ROOT.resolve("qa-operators/target/prt-qa.jar");
        assertThat(jar).as("the prt qa jar (mvn package builds it)").isRegularFile();
        Path report = dir.resolve("swebench-report.json");
        Process p = new ProcessBuilder("java", "-jar", jar.toString(), "swebench", instances.toString(), "--repos",
                dir.resolve("swebench/repos").toString(), "--report", report.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(out);
        assertThat(p.waitFor()).as(out).isZero();
        JsonNode r = StrictJson.parse(Files.readString(report));
        int n = ids(manifest).size();
        assertThat(r.toString()).as(out).contains("\"resolved_instances\":" + n);
    }

    @Test
    @Order(4)
    void anErasedParticipantIsInNoLaterExportAndTheErasureNamesTheExportsThatHeldThem() throws Exception {
        TreeSet<String> theirs = column("SELECT trace_id FROM traces WHERE participant_id = 'bench-1' AND state = 'complete'");
        assertThat(theirs).isNotEmpty();
        long before = Long.parseLong(query("SELECT max(id) FROM exports"));
        JsonNode erased = StrictJson.parse(send("DELETE", "/v1/participants/bench-1", researcher, null, 200));
        JsonNode holding = erased.get("exports_holding");
        assertThat(holding).isNotEmpty();
        TreeSet<String> listedIds = new TreeSet<>();
        holding.forEach(e -> {
            assertThat(e.get("export_id").asLong()).isLessThanOrEqualTo(before);
            e.get("traces").forEach(t -> assertThat(theirs).contains(t.asText()));
            listedIds.add(String.valueOf(e.get("export_id").asLong()));
        });
        // exactly the exports whose manifests held one of their traces
        TreeSet<String> fromManifests = new TreeSet<>();
        try (var exports = Files.list(dir)) {
            for (Path d : exports.filter(d -> Files.isRegularFile(d.resolve("manifest.json"))).toList()) {
                JsonNode m = StrictJson.parse(Files.readString(d.resolve("manifest.json")));
                if (ids(m).stream().anyMatch(theirs::contains)) {
                    fromManifests.add(String.valueOf(m.get("export_id").asLong()));
                }
            }
        }
        assertThat(listedIds).isEqualTo(fromManifests);
        assertThat(column("SELECT exports::text FROM erasures WHERE participant_id = 'bench-1'").first()).contains("\"export_id\"");

        ObjectNode after = export("after-erasure", ExportFiles.Format.PARQUET, none());
        assertThat(ids(after)).isNotEmpty().doesNotContainAnyElementsOf(theirs);
        assertThat(ExportVerifier.verify(dir.resolve("after-erasure")).ok()).isTrue();
    }
}
