package dev.prtelemetry.recorder.cli;

import dev.prtelemetry.recorder.session.Background;
import dev.prtelemetry.recorder.session.Commands;
import dev.prtelemetry.recorder.session.Git;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.recorder.session.Spool;
import dev.prtelemetry.recorder.session.TestRuns;
import dev.prtelemetry.recorder.session.Workspace;
import dev.prtelemetry.recorder.session.WorkingTree;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", sortOptions = false,
        description = {"Runs a command as it would run without prt — same stdin, output and exit code — and records it "
                + "as a cmd_run (command, folder, exit code, duration, output excerpt; the whole output as an artifact). "
                + "A test run (pytest, mvn/gradle test, go test, jest, or --test) is also recorded as a test_run with "
                + "per-test outcomes from its JUnit XML report (prt adds --junitxml to pytest). Outside a session the "
                + "command just runs.",
            "Secrets in the command and its output are redacted before anything is recorded."},
        footer = {"", "Examples:", "  prt run -- pytest -q tests/test_dates.py", "  prt run -- python3 -c 'import app; print(app.VERSION)'",
            "  prt run --test --junit-xml build/report.xml -- ./run-tests.sh"})
final class RunCommand implements Callable<Integer> {
    static final long MAX_CAPTURE = 32L * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Option(names = "--test", description = "record this command as a test run too")
    boolean test;
    @Option(names = "--junit-xml", paramLabel = "PATH", description = "the JUnit XML report this command writes")
    Path junitXml;
    @Parameters(arity = "1..*", paramLabel = "CMD", description = "the command and its arguments (after --)")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path cwd = Path.of(System.getProperty("user.dir"));
        Path root = Git.findRoot(cwd);
        Workspace ws = root == null ? null : new Workspace(root);
        boolean recording = ws != null && sessionOpen(ws);
        if (!recording) {
            err.println("prt run: not recording (no open session here); running the command anyway");
        }
        List<String> argv = command.size() == 1 && command.get(0).matches(".*[\\s|&;<>()$`*?].*")
                ? List.of(System.getenv().getOrDefault("SHELL", "/bin/sh"), "-c", command.get(0)) : command;
        TestRuns.Plan plan = recording ? TestRuns.plan(argv, test, junitXml == null ? null : cwd.resolve(junitXml), root, ws.tmp())
                : new TestRuns.Plan(null, argv, null, List.of());

        Path capture = recording ? ws.tmp().resolve("output-" + System.nanoTime() + ".log") : null;
        long startedMs = System.currentTimeMillis();
        Path marker = recording ? Commands.started(ws, startedMs) : null; // what it makes is its output, not an edit
        int exit;
        boolean truncated;
        try (OutputStream captureOut = capture == null ? OutputStream.nullOutputStream() : Files.newOutputStream(capture)) {
            Process p;
            try {
                p = new ProcessBuilder(plan.argv()).directory(cwd.toFile())
                        .redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            } catch (IOException e) {
                err.println("prt run: cannot run " + plan.argv().get(0) + ": " + e.getMessage());
                if (marker != null) {
                    Files.deleteIfExists(marker);
                }
                return 127;
            }
            Object ignore = ignoreInterrupts(); // Ctrl-C reaches the command; prt stays to record how it ended
            Capture c = new Capture(captureOut);
            Thread o = pump(p.getInputStream(), new FileOutputStream(FileDescriptor.out), c);
            Thread e = pump(p.getErrorStream(), new FileOutputStream(FileDescriptor.err), c);
            exit = p.waitFor();
            o.join();
            e.join();
            truncated = c.truncated;
            restoreInterrupts(ignore);
        }
        long endedMs = System.currentTimeMillis();
        if (!recording) {
            return exit;
        }
        try {
            Spool.write(ws, command, cwd, exit, startedMs, endedMs, test, plan.report(), capture, truncated);
            Files.deleteIfExists(marker); // the spool entry holds the command's place now
            try (Recorder rec = Recorder.open(ws)) {
                WorkingTree.scan(rec, 0); // records the spool: earlier saves, this command, its test run
            }
        } catch (RuntimeException | IOException ex) {
            err.println("prt run: the command ran, but recording it failed: " + ex.getMessage());
        }
        Background.upload(ws, System.getenv());
        return exit;
    }

    static boolean sessionOpen(Workspace ws) {
        try {
            return Files.exists(ws.session())
                    && !StrictJson.parse(Files.readAllBytes(ws.session())).path("finished").asBoolean(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Bytes go to the terminal as they come, and to the capture (bounded). */
    static final class Capture {
        final OutputStream out;
        long written;
        boolean truncated;

        Capture(OutputStream out) {
            this.out = out;
        }

        synchronized void write(byte[] b, int n) throws IOException {
            long room = MAX_CAPTURE - written;
            if (room <= 0) {
                truncated = true;
                return;
            }
            int k = (int) Math.min(room, n);
            out.write(b, 0, k);
            written += k;
            truncated |= k < n;
        }
    }

    private static Thread pump(InputStream from, OutputStream to, Capture capture) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = from.read(buf)) > 0; ) {
                    to.write(buf, 0, n);
                    to.flush();
                    capture.write(buf, n);
                }
            } catch (IOException e) {
                // the command closed its end
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    @SuppressWarnings("restriction")
    private static Object ignoreInterrupts() {
        try {
            return sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return null;
        }
    }

    @SuppressWarnings("restriction")
    private static void restoreInterrupts(Object previous) {
        if (previous instanceof sun.misc.SignalHandler h) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), h);
            } catch (IllegalArgumentException e) {
                // keep ignoring
            }
        }
    }

}
