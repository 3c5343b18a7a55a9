package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Artifacts;
import dev.prtelemetry.recorder.session.Background;
import dev.prtelemetry.recorder.session.Credentials;
import dev.prtelemetry.recorder.session.Git;
import dev.prtelemetry.recorder.session.Hooks;
import dev.prtelemetry.recorder.session.Ignores;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.recorder.session.Uploader;
import dev.prtelemetry.recorder.session.Workspace;
import dev.prtelemetry.recorder.session.WorkingTree;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "finish", sortOptions = false,
        description = {"Ends the session: records the last saves, stores the final patch (start commit → working tree, "
                + "untracked files included, secrets redacted) as an artifact, stops the watcher and the commit hook, "
                + "then sends everything and the completion (final seq, chain head). Offline, it all stays queued in "
                + ".prt/ and is sent by the background uploader (or prt sync) later."},
        footer = {"", "Examples:", "  prt finish --outcome fixed", "  prt finish --outcome not-fixed --wait 0"})
final class FinishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--outcome", defaultValue = "unknown", paramLabel = "OUTCOME",
            description = "fixed | not-fixed | unknown (default: ${DEFAULT-VALUE})")
    String outcome;
    @Option(names = "--wait", defaultValue = "30", paramLabel = "SECONDS",
            description = "how long to wait for the upload before leaving it to the background (default: ${DEFAULT-VALUE})")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String wire = switch (outcome) {
            case "fixed" -> "fixed";
            case "not-fixed", "not_fixed" -> "not_fixed";
            case "unknown" -> "unknown";
            default -> null;
        };
        if (wire == null) {
            spec.commandLine().getErr().println("prt finish: --outcome is fixed, not-fixed or unknown; not '" + outcome + "'");
            return ExitCodes.USAGE;
        }
        Workspace ws = Workspace.around(Path.of(System.getProperty("user.dir")));
        stopWatcher(ws);
        String traceId;
        long events;
        String head;
        try (Recorder rec = Recorder.open(ws)) {
            if (rec.finished()) {
                spec.commandLine().getErr().println("prt finish: trace " + rec.traceId() + " has already finished");
                return ExitCodes.USAGE;
            }
            WorkingTree.scan(rec, 0);
            String patch = rec.redactText(finalPatch(ws, rec.state().get("start_commit").asText()));
            ObjectNode state = rec.state();
            state.put("finished", true);
            state.put("outcome", wire);
            state.put("final_patch_ref", Artifacts.put(ws, patch.getBytes(StandardCharsets.UTF_8)));
            state.put("finished_at", System.currentTimeMillis() / 1000.0);
            rec.saveState();
            traceId = rec.traceId();
            events = rec.nextSeq();
            head = rec.head();
        }
        Hooks.uninstallPostCommit(ws);
        out.println("prt: finished trace " + traceId + ": " + events + " events, chain head " + (head == null ? "(none)" : head));
        Map<String, String> env = System.getenv();
        Credentials creds = Credentials.resolve(null, null, ws, env);
        boolean sent = SyncCommand.flush(ws, creds, waitSeconds * 1000L, spec.commandLine().getErr());
        if (sent) {
            out.println("prt: uploaded; the trace and its QA result: " + creds.server() + "/v1/traces/" + traceId);
        } else {
            Background.upload(ws, env);
            out.println("prt: not everything is uploaded yet (" + Uploader.queued(ws) + "); it stays queued in .prt/ and "
                    + "is sent in the background, or by prt sync. Then see " + creds.server() + "/v1/traces/" + traceId);
        }
        return ExitCodes.OK;
    }

    /** The patch from the start commit to the working tree, untracked files included, the user's index untouched. */
    static String finalPatch(Workspace ws, String startCommit) throws IOException {
        Git git = new Git(ws.repoRoot());
        Path index = ws.tmp().resolve("final.index");
        Files.deleteIfExists(index);
        Map<String, String> env = Map.of("GIT_INDEX_FILE", index.toString());
        List<String> add = new ArrayList<>(Ignores.gitConfig(ws)); // build outputs are no part of the fix
        add.addAll(List.of("add", "-A")); // .prt/ is in .git/info/exclude
        Git.Result added = git.runWithEnv(env, add.toArray(String[]::new));
        if (added.exit() != 0) {
            throw new IOException("git add (into a private index) failed: " + added.err().strip());
        }
        Git.Result diff = git.runWithEnv(env, "diff", "--cached", "--binary", "--no-color", "--no-ext-diff", startCommit);
        Files.deleteIfExists(index);
        if (diff.exit() != 0) {
            throw new IOException("git diff failed: " + diff.err().strip());
        }
        return diff.text();
    }

    static void stopWatcher(Workspace ws) throws IOException, InterruptedException {
        if (!Files.exists(ws.watchPid())) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(ws.watchPid()).strip());
            var handle = ProcessHandle.of(pid);
            if (handle.isPresent() && handle.get().info().commandLine().orElse("").contains("PrtCommand")) {
                handle.get().destroy();
                handle.get().onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (NumberFormatException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // gone already, or it will notice the finished session itself
        }
        Files.deleteIfExists(ws.watchPid());
    }
}
