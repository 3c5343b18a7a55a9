package dev.prtelemetry.recorder.session;

import static dev.prtelemetry.recorder.session.SessionProcesses.journal;
import static dev.prtelemetry.recorder.session.SessionProcesses.offline;
import static dev.prtelemetry.recorder.session.SessionProcesses.prt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.TraceVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session recorded offline (the server is a closed port): what the journal holds, and crash repair. */
class RecorderSessionTest {
    @TempDir
    Path tmp;

    @Test
    void prtRunPassesStdinOutputAndExitCodeThroughAndRecordsTheRun() throws Exception {
        Path repo = SessionProcesses.repo(tmp.resolve("repo"));
        Map<String, String> env = offline(tmp.resolve("config"));
        var start = prt(repo, env, null, "start", "--task", "T-1", "--title", "t", "--participant", "dev", "--no-watch");
        assertThat(start.exit()).as(start.err()).isZero();
        var run = prt(repo, env, "hello\n", "run", "--", "sh", "-c", "read x; echo \"out:$x\"; echo oops >&2; exit 7");
        assertThat(run.exit()).isEqualTo(7);
        assertThat(run.out()).isEqualTo("out:hello\n");
        assertThat(run.err()).isEqualTo("oops\n");
        ObjectNode e = journal(repo).get(0);
        assertThat(e.get("type").asText()).isEqualTo("cmd_run");
        assertThat(e.at("/payload/exit_code").asInt()).isEqualTo(7);
        assertThat(e.at("/payload/output_excerpt").asText()).contains("out:hello").contains("oops");
        assertThat(e.at("/payload/command").asText()).isEqualTo("sh -c 'read x; echo \"out:$x\"; echo oops >&2; exit 7'");
        assertThat(e.at("/payload/output_ref").asText()).startsWith("artifact://sha256/");

        // outside a session the command still runs, unrecorded
        var outside = prt(tmp, env, null, "run", "--", "sh", "-c", "echo plain; exit 3");
        assertThat(outside.exit()).isEqualTo(3);
        assertThat(outside.out()).isEqualTo("plain\n");
    }

    @Test
    void editsNotesAndCommitsAreJournaledInOrderAsAValidChain() throws Exception {
        Path repo = SessionProcesses.repo(tmp.resolve("repo"));
        Map<String, String> env = offline(tmp.resolve("config"));
        assertThat(prt(repo, env, null, "start", "--task", "T-2", "--title", "t", "--participant", "dev", "--no-watch").exit()).isZero();
        Files.writeString(repo.resolve("src/app.py"), "def add(a, b):\n    return a + b\n");
        Files.writeString(repo.resolve("debug.log"), "ignored by .gitignore\n");
        Files.writeString(repo.resolve("src/new.py"), "X = 1\n");
        assertThat(prt(repo, env, null, "note", "hypothesis", "add subtracts", "--ref", "last-edit").out().strip()).isEqualTo("ev-2");
        var bad = prt(repo, env, null, "note", "decision", "x", "--ref", "ev-99");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("not an earlier event");
        SessionProcesses.git(repo, "add", "-A");
        SessionProcesses.git(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.org", "commit", "-qm", "fix add");
        var finish = prt(repo, env, null, "finish", "--outcome", "fixed", "--wait", "1");
        assertThat(finish.exit()).as(finish.err()).isZero();
        assertThat(finish.out()).contains("queued");

        List<ObjectNode> events = journal(repo);
        assertThat(events).extracting(e -> e.get("type").asText() + ":" + e.at("/payload/path").asText(""))
                .containsExactly("file_edit:src/app.py", "file_edit:src/new.py", "rationale_note:", "commit:");
        assertThat(events.get(0).at("/payload/diff").asText()).contains("-    return a - b\n+    return a + b");
        assertThat(events.get(1).at("/payload/before_sha256").isNull()).isTrue();
        assertThat(events.get(2).at("/payload/refs/0").asText()).isEqualTo("ev-1");
        assertThat(events.get(3).at("/payload/message").asText()).isEqualTo("fix add");
        assertThat(events.get(3).at("/payload/author").asText()).isEqualTo("Dev");
        String traceId = StrictJson.parse(Files.readAllBytes(repo.resolve(".prt/session.json"))).get("trace_id").asText();
        ChainVerdict v = TraceVerifier.verify(traceId, events.stream().map(e -> (com.fasterxml.jackson.databind.JsonNode) e).toList());
        assertThat(v.intact()).as(v.summary()).isTrue();
        assertThat(Files.exists(repo.resolve(".git/hooks/post-commit"))).isFalse(); // removed at finish
        assertThat(SessionProcesses.git(repo, "status", "--porcelain")).doesNotContain(".prt");
    }

    @Test
    void aTornJournalLineIsDroppedAndEventsJournaledBeforeACrashAreAdopted() throws Exception {
        Path repo = SessionProcesses.repo(tmp.resolve("repo"));
        Map<String, String> env = offline(tmp.resolve("config"));
        assertThat(prt(repo, env, null, "start", "--task", "T-3", "--title", "t", "--participant", "dev", "--no-watch").exit()).isZero();
        assertThat(prt(repo, env, null, "note", "plan", "one").exit()).isZero();
        Workspace ws = new Workspace(repo);
        byte[] stateAfterOne = Files.readAllBytes(ws.session());
        assertThat(prt(repo, env, null, "note", "plan", "two").exit()).isZero();
        // a crash after the journal append, before the state was saved: the state is one event behind
        Files.write(ws.session(), stateAfterOne);
        // and a second crash in the middle of writing a line
        Files.write(ws.journal(), "{\"id\":\"ev-2\",\"ty".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        assertThat(prt(repo, env, null, "note", "plan", "three", "--ref", "ev-1").exit()).isZero();
        List<ObjectNode> events = journal(repo);
        assertThat(events).extracting(e -> e.at("/payload/text").asText()).containsExactly("one", "two", "three");
        String traceId = StrictJson.parse(Files.readAllBytes(ws.session())).get("trace_id").asText();
        assertThat(TraceVerifier.verify(traceId, events.stream().map(e -> (com.fasterxml.jackson.databind.JsonNode) e).toList())
                .intact()).isTrue();
        assertThat(new HashChain(traceId).append(StrictJson.mapper().createObjectNode()).get("seq").asInt()).isZero();
    }

    @Test
    void theWatcherRecordsOneEditPerSaveAndNeverIgnoredFiles() throws Exception {
        Path repo = SessionProcesses.repo(tmp.resolve("repo"));
        Map<String, String> env = offline(tmp.resolve("config"));
        assertThat(prt(repo, env, null, "start", "--task", "T-4", "--title", "t", "--participant", "dev", "--no-watch").exit()).isZero();
        Process watch = watcher(repo, env);
        try {
            Path app = repo.resolve("src/app.py");
            Files.writeString(app, "def add(a, b):\n    return a + b\n");
            Files.writeString(repo.resolve("run.log"), "ignored\n");
            awaitEvents(repo, 1);
            Files.writeString(app, "def add(a, b):\n    \"\"\"Sum.\"\"\"\n    return a + b\n");
            awaitEvents(repo, 2);
        } finally {
            assertThat(prt(repo, env, null, "finish", "--wait", "0").exit()).isZero();
            watch.destroy();
            watch.waitFor();
        }
        List<ObjectNode> events = journal(repo);
        assertThat(events).as("journal: %s", events).extracting(e -> e.at("/payload/path").asText()).containsExactly("src/app.py", "src/app.py");
        assertThat(events.get(1).at("/payload/before_sha256").asText()).isEqualTo(events.get(0).at("/payload/after_sha256").asText());
        assertThat(events.get(1).at("/payload/diff").asText()).contains("+    \"\"\"Sum.\"\"\"");
    }

    /**
     * A save held up between truncating the file and writing it (a busy machine, a paused virtual
     * CPU) is one edit, not an emptied file and a second edit that refills it: the watcher waits
     * while a process holds the file open for writing, even when the debounce alone would let it in.
     */
    @Test
    void aSaveHeldUpBetweenTruncateAndWriteIsRecordedOnceWhenTheWriterCloses() throws Exception {
        Path repo = SessionProcesses.repo(tmp.resolve("repo"));
        Map<String, String> env = offline(tmp.resolve("config"));
        assertThat(prt(repo, env, null, "start", "--task", "T-5", "--title", "t", "--participant", "dev", "--no-watch").exit()).isZero();
        Process watch = watcher(repo, env);
        try {
            Path app = repo.resolve("src/app.py");
            try (FileChannel ch = FileChannel.open(app, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                // truncated and, by its time stamp, long settled: only the open writer says the save is not done
                Files.setLastModifiedTime(app, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
                Files.writeString(repo.resolve("src/zz_marker.py"), "M = 1\n"); // scanned after src/app.py
                awaitEvents(repo, 1);
                assertThat(journal(repo)).extracting(e -> e.at("/payload/path").asText()).containsExactly("src/zz_marker.py");
                ch.write(ByteBuffer.wrap("def add(a, b):\n    return a + b\n".getBytes(StandardCharsets.UTF_8)));
            }
            awaitEvents(repo, 2);
        } finally {
            assertThat(prt(repo, env, null, "finish", "--wait", "0").exit()).isZero();
            watch.destroy();
            watch.waitFor();
        }
        List<ObjectNode> events = journal(repo);
        assertThat(events).as("journal: %s", events).extracting(e -> e.at("/payload/path").asText())
                .containsExactly("src/zz_marker.py", "src/app.py");
        assertThat(events.get(1).at("/payload/diff").asText()).contains("-    return a - b\n+    return a + b");
    }

    private Process watcher(Path repo, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.prtelemetry.recorder.cli.PrtCommand", "watch", "--interval", "100",
                "--debounce", "200").directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("watch.log").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void awaitEvents(Path repo, int n) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(repo.resolve(".prt/journal.jsonl")) && journal(repo).size() >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the watcher did not record " + n + " edit(s)");
    }
}
