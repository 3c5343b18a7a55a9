package dev.prtelemetry.recorder.session;

import static dev.prtelemetry.recorder.session.SessionProcesses.journal;
import static dev.prtelemetry.recorder.session.SessionProcesses.offline;
import static dev.prtelemetry.recorder.session.SessionProcesses.prt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What real projects put in a working tree — build outputs, binaries, generated files, events the
 * server would refuse — recorded offline: nothing the server would refuse is journaled, no build
 * output is an edit, and a broken journal is named.
 */
class RealProjectsTest {
    @TempDir
    Path tmp;

    Path repo;
    Map<String, String> env;

    void start(String task) throws Exception {
        start(task, true);
    }

    void start(String task, boolean gitignore) throws Exception {
        repo = SessionProcesses.repo(tmp.resolve("repo"));
        if (!gitignore) { // a quick project: nothing ignored by git
            SessionProcesses.git(repo, "rm", "-q", ".gitignore");
            SessionProcesses.git(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.org", "commit", "-qm", "no ignores");
        }
        env = offline(tmp.resolve("config"));
        var start = prt(repo, env, null, "start", "--task", task, "--title", "t", "--participant", "dev", "--no-watch");
        assertThat(start.exit()).as(start.err()).isZero();
    }

    static List<String> edits(List<ObjectNode> journal) {
        return journal.stream().filter(e -> e.get("type").asText().equals("file_edit")).map(e -> e.at("/payload/path").asText()).toList();
    }

    @Test
    void anEventTheServerWouldRefuseIsNeverJournaledAndANoteSaysWhatWasLeftOut() throws Exception {
        start("T-R1");
        Workspace ws = new Workspace(repo);
        try (Recorder rec = Recorder.open(ws)) {
            ObjectNode broken = StrictJson.mapper().createObjectNode().put("path", "src/app.py");
            broken.putNull("before_sha256");
            broken.putNull("after_sha256"); // neither diff, diff_ref nor binary: the gateway's 422
            ObjectNode journaled = rec.record("file_edit", broken);
            assertThat(journaled.get("type").asText()).isEqualTo("rationale_note");
        }
        assertThat(prt(repo, env, null, "note", "plan", "carry on").exit()).isZero();
        List<ObjectNode> events = journal(repo);
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("rationale_note", "rationale_note");
        assertThat(events.get(0).at("/payload/source").asText()).isEqualTo("recorder");
        assertThat(events.get(0).at("/payload/text").asText()).contains("could not record a file_edit of src/app.py")
                .contains("give exactly one of diff");
        JournalCheck.Result check = JournalCheck.check(ws, traceId());
        assertThat(check.ok()).as(check.describe()).isTrue();
        var status = prt(repo, env, null, "status");
        assertThat(status.exit()).as(status.out()).isZero();
        assertThat(status.out()).contains("skipped    1 event(s) the server would refuse, the last a file_edit of src/app.py");
    }

    @Test
    void aHugeTestRunKeepsItsSummaryAndFitsTheGatewaysBodyLimit() throws Exception {
        start("T-R6");
        ObjectNode run = StrictJson.mapper().createObjectNode().put("framework", "junit").put("command", "mvn test").put("exit_code", 1);
        run.putObject("summary").put("total", 10_000).put("passed", 5_000).put("failed", 5_000).put("errors", 0).put("skipped", 0);
        var cases = run.putArray("cases");
        String message = "expected: <1> but was: <2> ".repeat(150).substring(0, 4000);
        for (int i = 0; i < 10_000; i++) {
            cases.addObject().put("name", "test" + i).put("classname", "demo.BigTest").put("outcome", i % 2 == 0 ? "failed" : "passed")
                    .put("message", message);
        }
        try (Recorder rec = Recorder.open(new Workspace(repo))) {
            assertThat(rec.record("test_run", run).get("type").asText()).isEqualTo("test_run");
        }
        ObjectNode e = journal(repo).get(0);
        assertThat(StrictJson.toString(e).getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Recorder.MAX_EVENT_BYTES);
        assertThat(e.at("/payload/summary/failed").asInt()).isEqualTo(5_000);
        assertThat(e.at("/payload/cases")).isNotEmpty().allSatisfy(c -> assertThat(c.get("outcome").asText()).isEqualTo("failed"));
        assertThat(JournalCheck.check(new Workspace(repo), traceId()).ok()).isTrue();
    }

    @Test
    void binaryFilesAreRecordedAsContentArtifactsAndHugeOnesByHashAndSize() throws Exception {
        start("T-R2");
        byte[] png = new byte[3000];
        new Random(1).nextBytes(png);
        png[0] = (byte) 0x89;
        png[1] = 0; // not text
        Files.write(repo.resolve("logo.png"), png);
        byte[] huge = new byte[2 * 1024 * 1024 + 7];
        new Random(2).nextBytes(huge);
        Files.write(repo.resolve("model.bin"), huge);
        assertThat(prt(repo, env, null, "note", "plan", "look").exit()).isZero();
        Files.delete(repo.resolve("logo.png"));
        assertThat(prt(repo, env, null, "note", "plan", "again").exit()).isZero();

        List<ObjectNode> events = journal(repo);
        assertThat(edits(events)).containsExactly("logo.png", "model.bin", "logo.png");
        JsonNode logo = events.get(0).get("payload");
        assertThat(logo.get("binary").asBoolean()).isTrue();
        assertThat(logo.get("size").asLong()).isEqualTo(3000);
        assertThat(logo.has("diff") || logo.has("diff_ref")).isFalse();
        assertThat(logo.get("after_sha256").asText()).isEqualTo(Sha256.hex(Sha256.digest(png)));
        Path kept = repo.resolve(".prt/artifacts").resolve(logo.get("content_ref").asText().substring(Artifacts.PREFIX.length()));
        assertThat(Files.readAllBytes(kept)).isEqualTo(png);
        JsonNode model = events.get(1).get("payload");
        assertThat(model.get("binary").asBoolean()).isTrue();
        assertThat(model.get("size").asLong()).isEqualTo(huge.length);
        assertThat(model.has("content_ref")).as("too large to keep: hash and size only").isFalse();
        JsonNode deleted = events.get(3).get("payload");
        assertThat(deleted.get("after_sha256").isNull()).isTrue();
        assertThat(deleted.get("size").asLong()).isZero();
        JournalCheck.Result check = JournalCheck.check(new Workspace(repo), traceId());
        assertThat(check.ok()).as(check.describe()).isTrue();
    }

    @Test
    void buildOutputsAreNotEditsAndPrtignoreAddsAndRemovesPatterns() throws Exception {
        start("T-R3", false);
        for (String out : List.of("target/classes/demo/Calc.class", "target/surefire-reports/TEST-demo.CalcTest.xml",
                "src/__pycache__/app.cpython-311.pyc", ".pytest_cache/v/cache/lastfailed", "node_modules/left-pad/index.js",
                "coverage/lcov.info", "build/lib/app.py", "dist/app.js", "generated/schema.json")) {
            Files.createDirectories(repo.resolve(out).getParent());
            Files.writeString(repo.resolve(out), "output of a tool\n");
        }
        Files.writeString(repo.resolve(".prtignore"), "generated/\n!build/\n");
        Files.writeString(repo.resolve("src/app.py"), "def add(a, b):\n    return a + b\n");
        assertThat(prt(repo, env, null, "note", "plan", "look").exit()).isZero();
        assertThat(edits(journal(repo))).containsExactly(".prtignore", "build/lib/app.py", "src/app.py");
        // the final patch leaves the outputs out too
        assertThat(prt(repo, env, null, "finish", "--wait", "0").exit()).isZero();
        String ref = StrictJson.parse(Files.readAllBytes(repo.resolve(".prt/session.json"))).get("final_patch_ref").asText();
        String patch = Files.readString(repo.resolve(".prt/artifacts").resolve(ref.substring(Artifacts.PREFIX.length())));
        assertThat(patch).contains("b/src/app.py").contains("b/build/lib/app.py").doesNotContain("b/target/").doesNotContain("b/node_modules")
                .doesNotContain("__pycache__").doesNotContain("b/generated/");
    }

    @Test
    void filesACommandMakesAreItsOutputsWhileTrackedFilesItChangesStayEdits() throws Exception {
        start("T-R4");
        // (a real command writes well after it starts; a time stamp may lag the clock by a tick, so not within 4 ms of it)
        var run = prt(repo, env, null, "run", "--", "sh", "-c",
                "sleep 0.1 && mkdir -p gen && echo made > gen/out.txt && printf 'def add(a, b):\\n    return a + b\\n' > src/app.py");
        assertThat(run.exit()).as(run.err()).isZero();
        List<ObjectNode> events = journal(repo);
        assertThat(events).extracting(e -> e.get("type").asText() + ":" + e.at("/payload/path").asText(""))
                .containsExactly("cmd_run:", "file_edit:src/app.py");
        JsonNode outputs = events.get(0).at("/payload/outputs");
        assertThat(outputs).hasSize(1);
        assertThat(outputs.get(0).get("path").asText()).isEqualTo("gen/out.txt");
        assertThat(outputs.get(0).get("size").asInt()).isEqualTo(5);
        // the developer then edits the generated file: that is an edit, diffed against what the command made
        Files.writeString(repo.resolve("gen/out.txt"), "changed\n");
        assertThat(prt(repo, env, null, "note", "plan", "look").exit()).isZero();
        events = journal(repo);
        assertThat(edits(events)).containsExactly("src/app.py", "gen/out.txt");
        assertThat(events.get(2).at("/payload/diff").asText()).contains("-made\n+changed");
        // a clean that removes a command's outputs is no edit either (the edited file stays an edit)
        assertThat(prt(repo, env, null, "run", "--", "sh", "-c", "mkdir -p gen && echo more > gen/more.txt").exit()).isZero();
        assertThat(prt(repo, env, null, "run", "--", "rm", "-f", "gen/more.txt").exit()).isZero();
        events = journal(repo);
        assertThat(events.subList(4, events.size())).extracting(e -> e.get("type").asText() + ":" + e.at("/payload/path").asText(""))
                .containsExactly("cmd_run:", "cmd_run:");
    }

    @Test
    void statusNamesTheFirstBrokenLineOfATamperedOrInvalidJournal() throws Exception {
        start("T-R5");
        for (String t : List.of("one", "two", "three")) {
            assertThat(prt(repo, env, null, "note", "plan", t).exit()).isZero();
        }
        Path journal = repo.resolve(".prt/journal.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(journal));
        String original = String.join("\n", lines) + "\n";

        // tampered: a note's text changed after it was hashed
        lines.set(1, lines.get(1).replace("\"two\"", "\"TWO\""));
        Files.writeString(journal, String.join("\n", lines) + "\n");
        var status = prt(repo, env, null, "status");
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.out()).contains("STUCK").contains("line 2 (ev-1 rationale_note)").contains("tampered");
        var doctor = prt(repo, env, null, "doctor");
        assertThat(doctor.exit()).isEqualTo(1);
        assertThat(doctor.out()).contains("FAIL  journal").contains("line 2");

        // invalid, though correctly chained: an event the gateway would refuse
        Files.writeString(journal, original);
        List<ObjectNode> events = journal(repo);
        ObjectNode last = events.get(2);
        ObjectNode bad = StrictJson.mapper().createObjectNode();
        bad.put("id", last.get("id").asText());
        bad.put("ts_client_s", last.get("ts_client_s").asDouble());
        bad.put("type", "rationale_note");
        bad.putObject("payload").put("kind", "musing").put("text", "three");
        new HashChain(traceId(), 2, events.get(1).get("hash").asText()).append(bad);
        lines = new ArrayList<>(Files.readAllLines(journal));
        lines.set(2, StrictJson.toString(bad));
        Files.writeString(journal, String.join("\n", lines) + "\n");
        status = prt(repo, env, null, "status", "--json");
        assertThat(status.exit()).isEqualTo(1);
        JsonNode report = StrictJson.parse(status.out());
        assertThat(report.at("/journal/line").asInt()).isEqualTo(3);
        assertThat(report.at("/journal/event_id").asText()).isEqualTo("ev-2");
        assertThat(report.at("/journal/problem").asText()).contains("the server would refuse it").contains("/payload/kind");
    }

    private String traceId() throws Exception {
        return StrictJson.parse(Files.readAllBytes(repo.resolve(".prt/session.json"))).get("trace_id").asText();
    }
}
