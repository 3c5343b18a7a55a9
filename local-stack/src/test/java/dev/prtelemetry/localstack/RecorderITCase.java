package dev.prtelemetry.localstack;

import static dev.prtelemetry.localstack.EmbeddedServices.single;
import static dev.prtelemetry.localstack.EmbeddedServices.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code prt} recorder as a developer uses it — the shaded jar and the {@code ./prt}
 * launcher as processes, in a scratch git repository — against the whole embedded stack
 * (gateway, Kafka, the trace assembly on a MiniCluster, PostgreSQL, S3).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class RecorderITCase {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path JAR = ROOT.resolve("recorder/target/prt.jar");
    static final Path LAUNCHER = ROOT.resolve("prt");
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static LocalStack stack;
    static String researcher;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = EmbeddedServices.stackEnv();
        env.put("PRT_CHECKPOINT_INTERVAL_MS", "2000");
        stack = LocalStack.start(StackConfig.fromEnv(dir.resolve("data"), ROOT, env));
        researcher = Files.readString(dir.resolve("data/researcher.token")).strip();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A session: a failing and a passing test run, an edit, notes citing them, a commit, finish. */
    @Test
    void aRecordedSessionIsAssembledCompleteWithTheJournalsEventsAndTheFinalPatch() throws Exception {
        assumeTrue(pytestAvailable(), "python3 -m pytest is not available");
        Path repo = exampleRepo("online");
        Map<String, String> env = env(repo, "alice");
        login(repo, env, "alice");
        assertThat(prt(repo, env, "start", "--task", "LEAP-1", "--title", "Leap day is refused", "--no-watch",
                "--test-command", "python3 -m pytest -q").exit).isZero();
        String start = git(repo, "rev-parse", "HEAD").strip();

        Run failing = launcher(repo, env, "run", "--", "python3", "-m", "pytest", "-q");
        assertThat(failing.exit).isEqualTo(1);
        assertThat(failing.out).contains("2 failed, 3 passed");
        fix(repo);
        assertThat(prt(repo, env, "note", "hypothesis", "is_leap joins the century rules with and", "--ref", "last-test").out.strip())
                .isEqualTo("ev-3");
        assertThat(launcher(repo, env, "run", "--", "python3", "-m", "pytest", "-q").exit).isZero();
        assertThat(prt(repo, env, "note", "observation", "all pass", "--ref", "last-test", "--ref", "last-edit").exit).isZero();
        git(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.org", "commit", "-qam", "Leap years have a 29th of February");
        Run finish = prt(repo, env, "finish", "--outcome", "fixed", "--wait", "60");
        assertThat(finish.exit).as(finish.err).isZero();
        assertThat(finish.out).contains("uploaded");

        List<ObjectNode> journal = journal(repo);
        assertThat(journal).extracting(e -> e.get("type").asText()).containsExactly(
                "cmd_run", "test_run", "file_edit", "rationale_note", "cmd_run", "test_run", "rationale_note", "commit");
        assertThat(journal.get(1).at("/payload/summary/failed").asInt()).isEqualTo(2);
        assertThat(journal.get(5).at("/payload/summary/passed").asInt()).isEqualTo(5);
        assertThat(journal.get(3).at("/payload/refs/0").asText()).isEqualTo("ev-1");
        assertThat(journal.get(6).at("/payload/refs").toString()).isEqualTo("[\"ev-5\",\"ev-2\"]");

        String traceId = session(repo).get("trace_id").asText();
        JsonNode trace = awaitFinal(traceId);
        assertThat(trace.get("state").asText()).isEqualTo("complete");
        assertThat(trace.at("/integrity/verdict").asText()).isEqualTo("verified");
        assertThat(trace.at("/integrity/chain_head").asText()).isEqualTo(journal.get(journal.size() - 1).get("hash").asText());
        assertThat(serverEvents(traceId)).isEqualTo(withoutServerTime(journal));

        String patch = artifact(session(repo).get("final_patch_ref").asText());
        assertThat(patch).isEqualTo(git(repo, "diff", "--binary", "--no-color", start));
        assertThat(patch).contains("+    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)");
        // the QA pipeline verifies it in the sandbox: the recorded fix turns the failing tests into passing ones
        if (dev.prtelemetry.qa.sandbox.NamespaceSandbox.detect() != null) {
            JsonNode qa = awaitQa(traceId);
            assertThat(qa.get("verdict").asText()).as(qa.toString()).isEqualTo("resolved");
            assertThat(qa.get("sandbox").asText()).startsWith("namespace (");
            assertThat(qa.get("tests")).anySatisfy(t -> {
                assertThat(t.get("id").asText()).endsWith("test_parse_leap_day");
                assertThat(t.get("before").asText()).isEqualTo("failed");
                assertThat(t.get("after").asText()).isEqualTo("passed");
            });
        }
        // ... and the heuristic judge scores it; the overall is the rubric's weighted sum
        JsonNode judgement = awaitJudgement(traceId, "debugging@1", "heuristic-v1");
        var rubric = dev.prtelemetry.schemas.rubric.Rubric.load("debugging@1");
        double weighted = 0;
        for (var d : rubric.dimensions()) {
            weighted += d.weight() * judgement.at("/scores/" + d.id() + "/score").asInt();
        }
        assertThat(judgement.get("overall").asDouble()).isCloseTo(weighted, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(judgement.at("/scores/causal_linking/evidence")).isNotEmpty();
        Path doc = dir.resolve(traceId + ".json");
        Files.writeString(doc, document(trace));
        Run verify = Run.of(List.of("java", "-jar", JAR.toString(), "verify", doc.toString()), repo, Map.of(), null);
        assertThat(verify.exit).as(verify.out + verify.err).isZero();
    }

    /**
     * The server goes away mid-session and the uploader is killed (SIGKILL) while it retries;
     * after the server is back, the trace on it is the journal, event for event, and the same
     * session as one recorded with the server up throughout (same steps, same start commit).
     */
    @Test
    void aSessionRecordedWhileTheServerIsDownArrivesWholeAndInOrder() throws Exception {
        Path online = exampleRepo("same-online");
        Map<String, String> onlineEnv = env(online, "dana");
        login(online, onlineEnv, "dana");
        sameSession(online, onlineEnv, false);

        Path offline = exampleRepo("same-offline");
        Map<String, String> env = env(offline, "dana");
        sameSession(offline, env, true);

        List<ObjectNode> journal = journal(offline);
        assertThat(journal).extracting(e -> e.get("type").asText())
                .containsExactly("cmd_run", "file_edit", "rationale_note", "cmd_run", "commit");
        String traceId = session(offline).get("trace_id").asText();
        JsonNode trace = awaitFinal(traceId);
        assertThat(trace.get("state").asText()).as(trace.toString()).isEqualTo("complete");
        assertThat(serverEvents(traceId)).isEqualTo(withoutServerTime(journal));
        assertThat(trace.at("/integrity/event_count").asLong()).isEqualTo(journal.size());

        String onlineId = session(online).get("trace_id").asText();
        assertThat(awaitFinal(onlineId).get("state").asText()).isEqualTo("complete");
        assertThat(steps(serverEvents(traceId))).isEqualTo(steps(serverEvents(onlineId)));
    }

    private static void sameSession(Path repo, Map<String, String> env, boolean serverGoesAway) throws Exception {
        assertThat(prt(repo, env, "start", "--task", "LEAP-2", "--title", "Leap day", "--no-watch").exit).isZero();
        assertThat(launcher(repo, env, "run", "--", "sh", "-c", "echo before; exit 3").exit).isEqualTo(3);
        assertThat(prt(repo, env, "sync", "--wait", "30").exit).isZero(); // created, first events in
        if (serverGoesAway) {
            stack.stopGateway();
        }
        try {
            fix(repo);
            assertThat(prt(repo, env, "note", "plan", "fix the leap-year operator", "--ref", "last-run").exit).isZero();
            assertThat(launcher(repo, env, "run", "--", "sh", "-c", "echo after").exit).isZero();
            git(repo, "commit", "-qam", "fix");
            if (serverGoesAway) {
                Process uploader = new ProcessBuilder("java", "-cp", JAR.toString(), "dev.prtelemetry.recorder.cli.PrtCommand",
                        "sync", "--wait", "120").directory(repo.toFile()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("killed-uploader.log").toFile()).start();
                uploader.getOutputStream().close();
                Thread.sleep(2500);
                assertThat(uploader.isAlive()).as("the uploader is still retrying").isTrue();
                uploader.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Run finish = prt(repo, env, "finish", "--outcome", "fixed", "--wait", serverGoesAway ? "2" : "60");
            assertThat(finish.exit).isZero();
            if (serverGoesAway) {
                assertThat(finish.out).contains("queued");
                JsonNode queued = StrictJson.parse(prt(repo, env, "status", "--json").out).get("upload");
                assertThat(queued.get("events_queued").asLong()).isPositive();
                assertThat(queued.get("completion_sent").asBoolean()).isFalse();
            }
        } finally {
            if (serverGoesAway) {
                stack.startGateway();
            }
        }
        assertThat(prt(repo, env, "sync", "--wait", "60").exit).isZero();
    }

    /** What a developer did, without what differs between two recordings of it (times, trace-bound hashes). */
    static List<JsonNode> steps(List<JsonNode> events) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) {
            ObjectNode c = e.deepCopy();
            c.remove(List.of("ts_client_s", "ts_server_s", "hash", "prev_hash"));
            ((ObjectNode) c.get("payload")).remove("duration_s");
            out.add(c);
        }
        return out;
    }

    /** The ./prt launcher runs the command from the shell: stdin, stdout, stderr and exit code unchanged. */
    @Test
    void theLauncherPassesStdinOutputAndTheExitCodeThrough() throws Exception {
        Path repo = exampleRepo("passthrough");
        Map<String, String> env = env(repo, "erin");
        login(repo, env, "erin");
        assertThat(prt(repo, env, "start", "--task", "IO-1", "--title", "io", "--no-watch").exit).isZero();
        List<String> cmd = List.of("bash", LAUNCHER.toString(), "run", "--", "sh", "-c",
                "read a; read b; echo \"out:$a\"; echo \"err:$b\" >&2; exit 42");
        Run r = Run.of(cmd, repo, env, "first\nsecond\n");
        assertThat(r.exit).isEqualTo(42);
        assertThat(r.out).isEqualTo("out:first\n");
        assertThat(r.err).isEqualTo("err:second\n");
        assertThat(prt(repo, env, "sync", "--wait", "30").exit).isZero(); // records the spooled run
        ObjectNode run = journal(repo).get(0);
        assertThat(run.at("/payload/exit_code").asInt()).isEqualTo(42);
        assertThat(run.at("/payload/output_excerpt").asText()).contains("out:first").contains("err:second");
    }

    /** A secret typed into a command, its output, a file and a note never leaves the machine. */
    @Test
    void secretsAreRedactedBeforeTheyLeaveTheMachine() throws Exception {
        String github = "ghp_9fK2mQ7zR4tV8wX1yZ5bC6dE0gH3jLkN8pQs";
        String aws = "AKIAQ7HZ3KXJ5N2MWR4T";
        Path repo = exampleRepo("secrets");
        Map<String, String> env = env(repo, "carol");
        login(repo, env, "carol");
        assertThat(prt(repo, env, "start", "--task", "SEC-1", "--title", "secrets", "--no-watch").exit).isZero();
        Run run = launcher(repo, env, "run", "--", "sh", "-c", "echo token=" + github);
        assertThat(run.out).contains(github); // the developer's terminal shows it unchanged
        Files.writeString(repo.resolve("config.env"), "AWS_ACCESS_KEY_ID=" + aws + "\n");
        assertThat(prt(repo, env, "note", "observation", "the key " + aws + " was in the env").exit).isZero();
        assertThat(prt(repo, env, "finish", "--wait", "60").exit).isZero();

        String journalText = Files.readString(repo.resolve(".prt/journal.jsonl"));
        assertThat(journalText).doesNotContain(github).doesNotContain(aws)
                .contains("[REDACTED:github-token]").contains("[REDACTED:aws-access-key-id]");
        List<ObjectNode> journal = journal(repo);
        assertThat(journal.get(0).get("redactions").toString()).contains("github-token").contains("/payload/command");
        String traceId = session(repo).get("trace_id").asText();
        JsonNode trace = awaitFinal(traceId);
        assertThat(serverEvents(traceId).toString()).doesNotContain(github).doesNotContain(aws);
        assertThat(document(trace)).doesNotContain(github).doesNotContain(aws);
        for (Path a : listArtifacts(repo)) {
            assertThat(artifact("artifact://sha256/" + a.getFileName())).doesNotContain(github).doesNotContain(aws);
        }
    }

    /**
     * Every finished trace's document rebuilds from PostgreSQL alone (its stored skeleton and its
     * chunk rows) byte for byte as the stored document — what re-scoring relies on to read a batch of
     * documents per query — and a skeleton that no longer matches is caught by the claim check's
     * SHA-256: the judge then reads the stored document and scores the same.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE - 1)
    void finishedDocumentsRebuildFromPostgresByteForByteAndAChangedOneIsCaught() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection(stack.jdbcUrl(), "postgres", "postgres");
             var rs = c.createStatement().executeQuery("SELECT trace_id FROM traces WHERE document_uri IS NOT NULL")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        assertThat(ids).isNotEmpty();
        java.util.Map<String, byte[]> rebuilt;
        try (var documents = new dev.prtelemetry.flink.qa.StoredDocuments(stack.jdbcUrl(), "postgres", "postgres")) {
            rebuilt = documents.rebuild(ids);
        }
        assertThat(rebuilt.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        String sample = null;
        for (String id : ids) {
            JsonNode trace = get("/v1/traces/" + id);
            assertThat(new String(rebuilt.get(id), java.nio.charset.StandardCharsets.UTF_8)).as(id).isEqualTo(document(trace));
            if ("complete".equals(trace.path("state").asText())) {
                sample = id;
            }
        }
        assertThat(sample).isNotNull();
        // a rebuilt document that is not the claimed one is not used: the stored one is read instead
        var claim = dev.prtelemetry.schemas.stream.ClaimCheck.parse(claimOf(sample));
        java.util.concurrent.atomic.AtomicInteger storeReads = new java.util.concurrent.atomic.AtomicInteger();
        var judging = new dev.prtelemetry.flink.qa.TraceJudging(
                List.of(dev.prtelemetry.qa.judging.Judges.create("heuristic", null, null, "OPENAI_API_KEY", java.util.Map.of())),
                List.of(dev.prtelemetry.schemas.rubric.Rubric.load("debugging@2")), digest -> java.util.Set.of(),
                uri -> {
                    storeReads.incrementAndGet();
                    return read(new org.apache.flink.core.fs.Path(uri)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                });
        byte[] changed = new String(rebuilt.get(sample), java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("\"participant_id\":\"", "\"participant_id\":\"x").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var fromRebuilt = judging.judge(claim, rebuilt.get(sample));
        assertThat(storeReads.get()).as("the rebuilt document is the claimed one: no store read").isZero();
        var fromStore = judging.judge(claim, changed);
        assertThat(storeReads.get()).as("a changed one is not used: the store is read").isEqualTo(1);
        assertThat(fromStore).hasSize(1);
        assertThat(fromStore.get(0).overall).isEqualTo(fromRebuilt.get(0).overall);
        assertThat(fromStore.get(0).traceDigest).isEqualTo(claim.documentSha256());
    }

    /** The trace's latest claim check on prt.traces-assembled (waiting for it to be committed). */
    static String claimOf(String traceId) {
        var props = new java.util.Properties();
        props.put("bootstrap.servers", stack.kafkaBootstrap());
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        props.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            var parts = consumer.partitionsFor(dev.prtelemetry.schemas.stream.Topics.TRACES_ASSEMBLED).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            // the claim check is committed with the sink's transaction at the next checkpoint, possibly after the row:
            // read on until it is there (the latest one at that point)
            String latest = null;
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                var records = consumer.poll(java.time.Duration.ofMillis(500));
                for (var r : records) {
                    if (traceId.equals(r.key())) {
                        latest = r.value();
                    }
                }
                if (latest != null && records.isEmpty()) {
                    break;
                }
            }
            assertThat(latest).as("claim check of " + traceId).isNotNull();
            return latest;
        }
    }

    /**
     * Re-scoring with a second rubric version (a BATCH job over a bounded replay of the
     * assembled-traces topic) adds judgements beside the first ones and leaves those untouched;
     * running it again adds nothing.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last: it re-scores what the other tests recorded
    void rescoringAddsASecondRubricVersionBesideTheFirstAndIsIdempotent() throws Exception {
        String v1;
        long complete;
        try (var c = java.sql.DriverManager.getConnection(stack.jdbcUrl(), "postgres", "postgres")) {
            long deadline = System.currentTimeMillis() + 120_000;
            do {
                complete = single(c, "SELECT count(*) FROM traces WHERE state = 'complete'");
                long judged = single(c, "SELECT count(*) FROM qa_judgements WHERE rubric = 'debugging@1'");
                if (complete > 0 && judged >= complete) {
                    break;
                }
                Thread.sleep(500);
            } while (System.currentTimeMillis() < deadline);
            assertThat(complete).isPositive();
            v1 = text(c, "SELECT string_agg(trace_digest || judge || overall || result::text || created_at, ',' ORDER BY trace_digest)"
                    + " FROM qa_judgements WHERE rubric = 'debugging@1'");
        }
        rescore();
        try (var c = java.sql.DriverManager.getConnection(stack.jdbcUrl(), "postgres", "postgres")) {
            long v2 = single(c, "SELECT count(*) FROM qa_judgements WHERE rubric = 'debugging@2' AND judge = 'heuristic-v1'");
            assertThat(v2).isEqualTo(complete);
            assertThat(text(c, "SELECT string_agg(trace_digest || judge || overall || result::text || created_at, ',' ORDER BY trace_digest)"
                    + " FROM qa_judgements WHERE rubric = 'debugging@1'")).isEqualTo(v1);
            rescore();
            assertThat(single(c, "SELECT count(*) FROM qa_judgements WHERE rubric = 'debugging@2'")).isEqualTo(v2);
        }
    }

    /** As {@code ./prt rescore} does: the BATCH job submitted to the stack's running Flink cluster, beside the pipeline. */
    static void rescore() throws Exception {
        var job = stack.jobConfig();
        String rest = stack.flinkRest();
        var flink = org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.createRemoteEnvironment(
                rest.substring(0, rest.lastIndexOf(':')), Integer.parseInt(rest.substring(rest.lastIndexOf(':') + 1)),
                new org.apache.flink.configuration.Configuration());
        dev.prtelemetry.flink.qa.RescoreJob.define(flink, job, List.of("heuristic"), List.of("debugging@2"), null, null);
        flink.execute("prt-rescore-test");
    }

    // ---- real projects in three ecosystems: build outputs, the watcher on, the real test runners ----

    /**
     * The session of issue 19, run exactly so: a Maven project without a .gitignore, {@code mvn -q
     * -o test} before and after a one-line fix, the watcher and the background uploader on. The
     * compiled classes, Maven's status files and the Surefire reports are no edits; the trace is the
     * one source edit, two test runs with JUnit outcomes and the commit, complete and verified.
     */
    @Test
    void aMavenProjectWithoutAGitignoreRecordsTheOneSourceEditTwoJUnitRunsAndTheCommit() throws Exception {
        Path repo = project("maven-calc", Map.of("@junit.version@", System.getProperty("prt.test.junit.version", "5.14.1"),
                "@compiler.version@", System.getProperty("prt.test.compiler.version", "3.14.0"),
                "@resources.version@", System.getProperty("prt.test.resources.version", "3.3.1"),
                "@surefire.version@", System.getProperty("prt.test.surefire.version", "3.5.4")));
        git(repo, "add", "-A");
        git(repo, "commit", "-qm", "start");
        recordRealSession(repo, "erin", "CALC-1", List.of("mvn", "-q", "-o", "test"), "src/main/java/demo/Calc.java",
                "return a - b;", "return a + b;", "junit", 1, 1, 2, "target/classes/demo/Calc.class",
                "target/surefire-reports/TEST-demo.CalcTest.xml");
    }

    /** A Python project without a .gitignore: pytest's __pycache__ and .pytest_cache are no edits. */
    @Test
    void aPythonProjectsCachesAreNotEdits() throws Exception {
        assumeTrue(pytestAvailable(), "python3 -m pytest is not available");
        Path repo = exampleRepo("python-real");
        recordRealSession(repo, "fay", "LEAP-2", List.of("python3", "-m", "pytest", "-q"), "dates/parse.py",
                "(year % 100 != 0 and year % 400 == 0)", "(year % 100 != 0 or year % 400 == 0)", "pytest", 2, 3, 5,
                "dates/__pycache__", ".pytest_cache");
    }

    /** A Node project with node_modules/ (no .gitignore) and jest runs reported through jest-junit. */
    @Test
    void aNodeProjectWithNodeModulesAndJestRuns() throws Exception {
        Path repo = project("node-slug", Map.of());
        Run install = Run.of(List.of("npm", "ci", "--no-audit", "--no-fund"), repo, Map.of(), null);
        assumeTrue(install.exit == 0, "npm ci (jest, jest-junit from the npm registry) failed: " + install.err);
        git(repo, "add", "package.json", "package-lock.json", "src", "test");
        git(repo, "commit", "-qm", "start");
        recordRealSession(repo, "gus", "SLUG-1", List.of("--junit-xml", "junit.xml", "--", "npx", "jest", "--ci",
                "--reporters=default", "--reporters=jest-junit"), "src/slug.js", ".replace(/[^a-z0-9]/g, '-')",
                ".replace(/[^a-z0-9]+/g, '-')", "jest", 1, 2, 3, "node_modules/jest", "junit.xml");
    }

    /**
     * Records a fix as a developer would, with the watcher and the background uploader on: a failing
     * test run, the fix saved, a passing run, the commit, finish. The journal must be exactly those
     * steps — no build or tool output recorded as an edit — and the server's trace the journal.
     */
    static void recordRealSession(Path repo, String who, String task, List<String> testRun, String source, String bug, String fix,
                                  String framework, int failedBefore, int passedBefore, int passedAfter, String... outputs)
            throws Exception {
        Map<String, String> env = env(repo, who);
        env.put("PRT_BACKGROUND", "1"); // the watcher and the background uploader, as a developer has them
        env.put("PYTHONDONTWRITEBYTECODE", ""); // Python writes its __pycache__, as on a developer's machine
        login(repo, env, who);
        Run start = prt(repo, env, "start", "--task", task, "--title", "a real fix");
        assertThat(start.exit).as(start.err).isZero();
        assertThat(repo.resolve(".prt/watch.pid")).as("the watcher runs").exists();
        List<String> run = new ArrayList<>(List.of("run"));
        run.addAll(testRun.contains("--") ? testRun : java.util.stream.Stream.concat(Stream.of("--"), testRun.stream()).toList());
        Run before = launcher(repo, env, run.toArray(String[]::new));
        assertThat(before.exit).as(before.out + before.err).isNotZero();
        Path file = repo.resolve(source);
        String text = Files.readString(file);
        assertThat(text).contains(bug);
        Files.writeString(file, text.replace(bug, fix));
        Run after = launcher(repo, env, run.toArray(String[]::new));
        assertThat(after.exit).as(after.out + after.err).isZero();
        git(repo, "commit", "-qam", "fix");
        Run finish = prt(repo, env, "finish", "--outcome", "fixed", "--wait", "120");
        assertThat(finish.exit).as(finish.err).isZero();
        assertThat(finish.out).as(finish.out + finish.err).contains("uploaded");

        for (String output : outputs) {
            assertThat(repo.resolve(output)).as("the tools left their outputs in the working tree").exists();
        }
        List<ObjectNode> journal = journal(repo);
        assertThat(journal).as("journal: %s", journal).extracting(e -> e.get("type").asText() + ":" + e.at("/payload/path").asText(""))
                .containsExactly("cmd_run:", "test_run:", "file_edit:" + source, "cmd_run:", "test_run:", "commit:");
        assertThat(journal.get(2).at("/payload/diff").asText()).contains("+").contains(fix);
        for (int i : new int[] {1, 4}) {
            JsonNode t = journal.get(i).get("payload");
            assertThat(t.get("framework").asText()).isEqualTo(framework);
            assertThat(t.get("cases")).allSatisfy(c -> assertThat(c.get("name").asText()).isNotBlank());
        }
        assertThat(journal.get(1).at("/payload/summary/failed").asInt()).isEqualTo(failedBefore);
        assertThat(journal.get(1).at("/payload/summary/passed").asInt()).isEqualTo(passedBefore);
        assertThat(journal.get(4).at("/payload/summary/passed").asInt()).isEqualTo(passedAfter);
        assertThat(journal.get(4).at("/payload/summary/failed").asInt()).isZero();
        assertThat(journal.get(4).at("/payload/cases")).allSatisfy(c -> assertThat(c.get("outcome").asText()).isEqualTo("passed"));

        String traceId = session(repo).get("trace_id").asText();
        JsonNode trace = awaitFinal(traceId);
        assertThat(trace.get("state").asText()).as(trace.toString()).isEqualTo("complete");
        assertThat(trace.at("/integrity/verdict").asText()).isEqualTo("verified");
        assertThat(trace.at("/integrity/event_count").asLong()).isEqualTo(journal.size());
        assertThat(serverEvents(traceId)).isEqualTo(withoutServerTime(journal));
        String patch = artifact(session(repo).get("final_patch_ref").asText());
        assertThat(patch).contains("b/" + source).doesNotContain("b/target/").doesNotContain("b/node_modules/")
                .doesNotContain("__pycache__").doesNotContain(".pytest_cache").doesNotContain("junit.xml");
        Run status = prt(repo, env, "status");
        assertThat(status.exit).as(status.out).isZero();
        assertThat(status.out).contains("chain intact, every event acceptable to the server");
    }

    /** A fixture project from src/test/resources/projects, with its placeholders filled in, as a new git repository. */
    static Path project(String name, Map<String, String> placeholders) throws Exception {
        Path repo = dir.resolve("project-" + name);
        Path from = Path.of("src/test/resources/projects", name).toAbsolutePath();
        copy(from, repo);
        try (Stream<Path> s = Files.walk(repo)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(p);
                String filled = text;
                for (var e : placeholders.entrySet()) {
                    filled = filled.replace(e.getKey(), e.getValue());
                }
                if (!filled.equals(text)) {
                    Files.writeString(p, filled);
                }
            }
        }
        git(repo, "init", "-q");
        return repo;
    }

    // ---- helpers ----

    static Path exampleRepo(String name) throws Exception {
        Path repo = dir.resolve("repo-" + name);
        copy(ROOT.resolve("examples/dates-leap-day/repo"), repo);
        git(repo, "init", "-q");
        git(repo, "add", "-A");
        git(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.org", "commit", "-qm", "start");
        return repo;
    }

    static void fix(Path repo) throws IOException {
        Path f = repo.resolve("dates/parse.py");
        String s = Files.readString(f);
        String bug = "(year % 100 != 0 and year % 400 == 0)";
        assertThat(s).contains(bug);
        Files.writeString(f, s.replace(bug, "(year % 100 != 0 or year % 400 == 0)"));
    }

    static Map<String, String> env(Path repo, String who) {
        Map<String, String> env = new HashMap<>();
        env.put("PRT_CONFIG_HOME", dir.resolve("config-" + who).toString());
        env.put("PRT_URL", stack.gatewayUrl());
        env.put("PRT_BACKGROUND", "0");
        return env;
    }

    static void login(Path repo, Map<String, String> env, String who) throws Exception {
        Path tokenFile = dir.resolve("data/researcher.token");
        Run r = prt(repo, env, "login", "--server", stack.gatewayUrl(), "--participant", who, "--researcher-token-file",
                tokenFile.toString());
        assertThat(r.exit).as(r.err).isZero();
    }

    record Run(int exit, String out, String err) {
        static Run of(List<String> cmd, Path cwd, Map<String, String> env, String stdin) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
            pb.environment().putAll(env);
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        }
    }

    static Run prt(Path repo, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return Run.of(cmd, repo, env, null);
    }

    static Run launcher(Path repo, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        return Run.of(cmd, repo, env, null);
    }

    /** Fixed identities and dates: the same steps give the same commits in every repository. */
    static final Map<String, String> GIT_ENV = Map.of("GIT_AUTHOR_NAME", "Dev", "GIT_AUTHOR_EMAIL", "dev@example.org",
            "GIT_COMMITTER_NAME", "Dev", "GIT_COMMITTER_EMAIL", "dev@example.org",
            "GIT_AUTHOR_DATE", "2026-11-26T12:00:00Z", "GIT_COMMITTER_DATE", "2026-11-26T12:00:00Z");

    static String git(Path repo, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(GIT_ENV);
        env.put("PRT_BACKGROUND", "0");
        Run r = Run.of(cmd, repo, env, null);
        assertThat(r.exit).as("git %s: %s", String.join(" ", args), r.err).isZero();
        return r.out;
    }

    static boolean pytestAvailable() {
        try {
            return Run.of(List.of("python3", "-m", "pytest", "--version"), dir, Map.of(), null).exit == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static JsonNode session(Path repo) throws IOException {
        return StrictJson.parse(Files.readAllBytes(repo.resolve(".prt/session.json")));
    }

    static List<ObjectNode> journal(Path repo) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(repo.resolve(".prt/journal.jsonl"))) {
            if (!line.isBlank()) {
                out.add((ObjectNode) StrictJson.parse(line));
            }
        }
        return out;
    }

    static List<Path> listArtifacts(Path repo) throws IOException {
        try (Stream<Path> s = Files.list(repo.resolve(".prt/artifacts"))) {
            return s.toList();
        }
    }

    static List<JsonNode> withoutServerTime(List<? extends JsonNode> events) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) {
            ObjectNode c = e.deepCopy();
            c.remove("ts_server_s");
            out.add(StrictJson.parse(dev.prtelemetry.schemas.json.CanonicalJson.canonicalString(c)));
        }
        return out;
    }

    static List<JsonNode> serverEvents(String traceId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        long from = 0;
        while (true) {
            JsonNode page = get("/v1/traces/" + traceId + "/events?from_seq=" + from + "&limit=500");
            ArrayNode events = (ArrayNode) page.get("events");
            events.forEach(out::add);
            if (!page.hasNonNull("next_seq") || events.isEmpty()) {
                return withoutServerTime(out.stream().map(n -> (ObjectNode) n).toList());
            }
            from = page.get("next_seq").asLong();
        }
    }

    static JsonNode awaitFinal(String traceId) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/traces/" + traceId))
                    .header("Authorization", "Bearer " + researcher).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                last = StrictJson.parse(r.body());
                if (List.of("complete", "rejected", "abandoned").contains(last.get("state").asText())
                        && last.hasNonNull("document_uri")) {
                    return last;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("trace " + traceId + " did not finish: " + last);
    }

    static JsonNode awaitJudgement(String traceId, String rubric, String judge) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            last = get("/v1/traces/" + traceId);
            JsonNode j = last.at("/qa/judgements/" + rubric.replace("/", "~1") + "/latest/" + judge);
            if (j.isObject()) {
                return j;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no judgement for " + traceId + ": " + last);
    }

    static JsonNode awaitQa(String traceId) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            last = get("/v1/traces/" + traceId);
            JsonNode v = last.at("/qa/verification");
            if (v.isObject() && !"waiting".equals(v.path("verdict").asText())) {
                return v;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no QA verification for " + traceId + ": " + last);
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .header("Authorization", "Bearer " + researcher).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StrictJson.parse(r.body());
    }

    static String document(JsonNode trace) throws IOException {
        return read(new org.apache.flink.core.fs.Path(trace.get("document_uri").asText()));
    }

    static String artifact(String ref) throws IOException {
        String sha = ref.substring("artifact://sha256/".length());
        return read(new org.apache.flink.core.fs.Path("s3://prt/artifacts/sha256/" + sha));
    }

    static String read(org.apache.flink.core.fs.Path p) throws IOException {
        try (InputStream in = p.getFileSystem().open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                if (p.toString().contains("__pycache__") || p.toString().contains(".pytest_cache")) {
                    continue;
                }
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
