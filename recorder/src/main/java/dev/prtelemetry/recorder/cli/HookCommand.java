package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Artifacts;
import dev.prtelemetry.recorder.session.Background;
import dev.prtelemetry.recorder.session.Git;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.recorder.session.Workspace;
import dev.prtelemetry.recorder.session.WorkingTree;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "hook", hidden = true,
        description = "Called by the git hooks prt start installs: 'prt hook post-commit' records HEAD as a commit event.")
final class HookCommand implements Callable<Integer> {
    static final int MAX_INLINE_DIFF = 256 * 1024;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOOK", description = "post-commit")
    String hook;

    @Override
    public Integer call() throws Exception {
        if (!"post-commit".equals(hook)) {
            spec.commandLine().getErr().println("prt hook: unknown hook " + hook);
            return ExitCodes.USAGE;
        }
        Path root = Git.findRoot(Path.of(System.getProperty("user.dir")));
        if (root == null) {
            return ExitCodes.OK;
        }
        Workspace ws = new Workspace(root);
        if (!RunCommand.sessionOpen(ws)) {
            return ExitCodes.OK; // a commit outside a session is none of prt's business
        }
        Git git = new Git(root);
        String[] meta = git.text("log", "-1", "--format=%H%x00%P%x00%an%x00%B", "HEAD").split("\0", 4);
        String diff = new String(git.run("show", "--format=", "--patch", "--no-color", "--no-ext-diff", "HEAD").out(),
                StandardCharsets.UTF_8);
        try (Recorder rec = Recorder.open(ws)) {
            WorkingTree.scan(rec, 0); // the saves that went into this commit come first
            ObjectNode p = StrictJson.mapper().createObjectNode();
            p.put("sha", meta[0].strip());
            String message = meta.length > 3 ? meta[3].strip() : "";
            p.put("message", message.length() > 65536 ? message.substring(0, 65536) : message);
            ArrayNode parents = p.putArray("parents");
            for (String parent : meta[1].strip().split(" ")) {
                if (!parent.isEmpty()) {
                    parents.add(parent);
                }
            }
            p.put("author", meta[2].length() > 512 ? meta[2].substring(0, 512) : meta[2]); // the name, not the e-mail
            String redacted = rec.redactText(diff);
            if (redacted.length() > MAX_INLINE_DIFF) {
                p.put("diff_ref", Artifacts.put(ws, redacted.getBytes(StandardCharsets.UTF_8)));
            } else {
                p.put("diff", redacted);
            }
            rec.record("commit", p);
        }
        Background.upload(ws, System.getenv());
        return ExitCodes.OK;
    }
}
