package dev.prtelemetry.recorder.cli;

import dev.prtelemetry.recorder.session.Background;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.recorder.session.Workspace;
import dev.prtelemetry.recorder.session.WorkingTree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "watch", sortOptions = false,
        description = {"Records one file_edit per save while the session is open: polls the files git would track "
                + "(tracked, and untracked but not ignored; never .prt/) and records a file once it has been still "
                + "for --debounce ms. prt start runs it in the background; it stops when the session finishes."},
        footer = {"", "Example:", "  prt watch --interval 250 --debounce 300"})
final class WatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--interval", defaultValue = "250", paramLabel = "MS", description = "how often to look (default: ${DEFAULT-VALUE})")
    long intervalMs;
    @Option(names = "--debounce", defaultValue = "300", paramLabel = "MS",
            description = "how long a file must be unchanged to count as saved (default: ${DEFAULT-VALUE})")
    long debounceMs;

    @Override
    public Integer call() throws Exception {
        Workspace ws = Workspace.around(Path.of(System.getProperty("user.dir")));
        while (RunCommand.sessionOpen(ws)) {
            int recorded = 0;
            try (Recorder rec = Recorder.open(ws)) {
                if (rec.finished()) {
                    break;
                }
                recorded = WorkingTree.scan(rec, debounceMs);
            } catch (IOException | RuntimeException e) {
                spec.commandLine().getErr().println("prt watch: " + e.getMessage());
            }
            if (recorded > 0) {
                Background.upload(ws, System.getenv());
            }
            Thread.sleep(intervalMs);
        }
        return ExitCodes.OK;
    }
}
