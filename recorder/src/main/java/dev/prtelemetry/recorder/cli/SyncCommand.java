package dev.prtelemetry.recorder.cli;

import dev.prtelemetry.recorder.session.Credentials;
import dev.prtelemetry.recorder.session.GatewayClient;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.recorder.session.Spool;
import dev.prtelemetry.recorder.session.Uploader;
import dev.prtelemetry.recorder.session.Workspace;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "sync", sortOptions = false,
        description = {"Sends what the session has queued (creation, artifacts, event chunks, completion) and waits "
                + "for it, up to --wait seconds. prt starts this in the background after each recorded step; run it "
                + "yourself after being offline, or to be sure everything is on the server."},
        footer = {"", "Example:", "  prt sync --wait 120"})
final class SyncCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--wait", defaultValue = "60", paramLabel = "SECONDS", description = "give up after this long (default: ${DEFAULT-VALUE})")
    int waitSeconds;
    @Option(names = "--background", hidden = true, description = "the background uploader: retry for hours, exit when idle")
    boolean background;
    @Option(names = "--drain", hidden = true, description = "(accepted for older launchers; the spool is always drained first)")
    boolean drain;

    @Override
    public Integer call() throws Exception {
        Workspace ws = Workspace.around(Path.of(System.getProperty("user.dir")));
        Credentials creds = Credentials.resolve(null, null, ws, System.getenv());
        if (RunCommand.sessionOpen(ws)) {
            try (Recorder rec = Recorder.open(ws)) {
                Spool.drain(rec, System.err); // commands the shell launcher ran are recorded before anything is sent
            }
        }
        if (background) {
            PrintStream log = System.out;
            Uploader.exclusively(ws, () -> new Uploader(ws, creds, log).runUntil(30_000,
                    System.currentTimeMillis() + 12 * 3_600_000L));
            return ExitCodes.OK;
        }
        boolean done = flush(ws, creds, waitSeconds * 1000L, spec.commandLine().getErr());
        spec.commandLine().getOut().println(Uploader.queued(ws).toPrettyString());
        return done ? ExitCodes.OK : ExitCodes.INVALID;
    }

    /**
     * Sends everything queued (waiting for a background uploader to let go of the lock); true
     * when nothing is left to send (for a finished session: the completion was acknowledged).
     */
    static boolean flush(Workspace ws, Credentials creds, long waitMs, PrintWriter err) throws IOException {
        long deadline = System.currentTimeMillis() + waitMs;
        PrintStream log = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
                if (b == '\n') {
                    err.flush();
                }
            }
        }, true);
        do {
            final boolean[] caughtUp = {false};
            boolean ran;
            try {
                ran = Uploader.exclusively(ws, () -> {
                    Uploader.Step s = new Uploader(ws, creds, log).runUntil(0, Math.max(deadline, System.currentTimeMillis() + 1));
                    caughtUp[0] = s != null && nothingLeft(ws);
                });
            } catch (GatewayClient.CallFailed e) {
                return false; // refused for good: already printed, and kept in .prt/upload.json
            }
            if (ran) {
                return caughtUp[0];
            }
            if (nothingLeft(ws)) {
                return true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } while (System.currentTimeMillis() < deadline);
        return nothingLeft(ws);
    }

    static boolean nothingLeft(Workspace ws) throws IOException {
        var q = Uploader.queued(ws);
        boolean finished = !RunCommand.sessionOpen(ws);
        return q.path("created").asBoolean() && q.path("events_queued").asLong() == 0 && q.path("artifacts_queued").asLong() == 0
                && (!finished || q.path("completion_sent").asBoolean());
    }
}
