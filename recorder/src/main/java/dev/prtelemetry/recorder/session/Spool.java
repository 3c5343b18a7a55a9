package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.tests.JUnitXml;
import dev.prtelemetry.schemas.tests.Signals;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finished commands waiting to be recorded: {@code .prt/spool/<end ns>-<pid>/} with
 * {@code argv} (NUL-separated), {@code meta} ({@code key=value} lines: cwd, exit, started_ms,
 * ended_ms, test, report) and {@code output}. {@code prt run} writes one — the {@code ./prt}
 * launcher does it from the shell without starting a JVM, so the command is not slowed down —
 * and every recording {@code prt} process drains the spool first, in order, under the session
 * lock: edits saved before the command started, then its {@code cmd_run}, then its {@code test_run}.
 */
public final class Spool {
    static final int EXCERPT_CHARS = 16_384;
    /** The most outputs a cmd_run lists (its schema's maxItems); the rest are still taken as outputs. */
    static final int MAX_OUTPUTS = 1000;

    private Spool() {
    }

    public static Path dir(Workspace ws) {
        return ws.dir().resolve("spool");
    }

    /** What a finished command left in its entry. */
    public record Entry(Path dir, List<String> argv, Path cwd, int exit, long startedMs, long endedMs, boolean forceTest,
                        Path report, boolean outputTruncated) {
    }

    /** Writes an entry atomically (a temporary folder renamed into place). */
    public static Path write(Workspace ws, List<String> argv, Path cwd, int exit, long startedMs, long endedMs, boolean forceTest,
                             Path report, Path output, boolean truncated) throws IOException {
        Path spool = Files.createDirectories(dir(ws));
        String name = String.format("%019d-%d", System.currentTimeMillis() * 1_000_000L + System.nanoTime() % 1_000_000L,
                ProcessHandle.current().pid());
        Path tmp = spool.resolve(".tmp-" + name);
        Files.createDirectories(tmp);
        Files.write(tmp.resolve("argv"), String.join("\0", argv).getBytes(StandardCharsets.UTF_8));
        StringBuilder meta = new StringBuilder();
        meta.append("cwd=").append(cwd).append('\n').append("exit=").append(exit).append('\n')
                .append("started_ms=").append(startedMs).append('\n').append("ended_ms=").append(endedMs).append('\n')
                .append("test=").append(forceTest ? 1 : 0).append('\n')
                .append("report=").append(report == null ? "" : report.toString()).append('\n')
                .append("truncated=").append(truncated ? 1 : 0).append('\n');
        Files.writeString(tmp.resolve("meta"), meta);
        if (output != null && Files.exists(output)) {
            Files.move(output, tmp.resolve("output"));
        }
        Path entry = spool.resolve(name);
        Files.move(tmp, entry, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return entry;
    }

    /** Records every waiting entry, oldest first; returns how many. */
    public static int drain(Recorder rec, PrintStream err) throws IOException {
        Path spool = dir(rec.workspace());
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(spool)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        int n = 0;
        for (Path dir : entries) {
            Entry e;
            try {
                e = read(dir);
            } catch (IOException | RuntimeException bad) {
                err.println("prt: skipping an unreadable spool entry " + dir.getFileName() + ": " + bad.getMessage());
                Files.move(dir, spool.resolve(".bad-" + dir.getFileName()));
                continue;
            }
            if (!rec.finished()) {
                WorkingTree.scan(rec, 0, e.startedMs()); // saves made before the command started come first
                record(rec, e, err);
                n++;
            }
            deleteTree(dir);
        }
        return n;
    }

    static Entry read(Path dir) throws IOException {
        String argvText = Files.readString(dir.resolve("argv"), StandardCharsets.UTF_8);
        List<String> argv = new ArrayList<>(List.of(argvText.split("\0", -1)));
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IOException("no command in argv");
        }
        Map<String, String> meta = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("meta"), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                meta.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String report = meta.getOrDefault("report", "");
        return new Entry(dir, argv, Path.of(meta.get("cwd")), Integer.parseInt(meta.get("exit")),
                Long.parseLong(meta.get("started_ms")), Long.parseLong(meta.get("ended_ms")), "1".equals(meta.get("test")),
                report.isEmpty() ? null : Path.of(report), "1".equals(meta.get("truncated")));
    }

    private static void record(Recorder rec, Entry e, PrintStream err) throws IOException {
        Workspace ws = rec.workspace();
        Path out = e.dir().resolve("output");
        String output = Files.exists(out) ? new String(Files.readAllBytes(out), StandardCharsets.UTF_8) : "";
        String redacted = rec.redactText(output);
        String commandText = commandText(e.argv());
        double duration = Math.max(0, e.endedMs() - e.startedMs()) / 1000.0;
        ObjectNode run = StrictJson.mapper().createObjectNode();
        run.put("command", TestRuns.trim(commandText, 8192));
        String rel = ws.repoRoot().relativize(e.cwd()).toString();
        run.put("cwd", rel.isEmpty() ? "." : rel);
        run.put("exit_code", e.exit());
        if (Signals.ofExitCode(e.exit()) != null) {
            run.put("signal", "SIG" + Signals.ofExitCode(e.exit()));
        }
        run.put("duration_s", duration);
        boolean cut = redacted.length() > EXCERPT_CHARS;
        run.put("output_excerpt", cut ? redacted.substring(redacted.length() - EXCERPT_CHARS) : redacted);
        run.put("output_truncated", cut || e.outputTruncated());
        if (!redacted.isEmpty()) {
            run.put("output_ref", Artifacts.put(ws, redacted.getBytes(StandardCharsets.UTF_8)));
        }
        List<ObjectNode> outputs = WorkingTree.adoptOutputs(ws, e.startedMs(), e.endedMs());
        if (!outputs.isEmpty()) {
            var list = run.putArray("outputs");
            outputs.stream().limit(MAX_OUTPUTS).forEach(list::add);
            if (outputs.size() > MAX_OUTPUTS) {
                run.put("outputs_truncated", true);
            }
        }
        rec.record("cmd_run", run);

        TestRuns.Plan plan = TestRuns.plan(e.argv(), e.forceTest(), e.report(), ws.repoRoot(), ws.tmp());
        if (!plan.isTest()) {
            return;
        }
        List<Path> reports = TestRuns.reports(plan, e.cwd(), e.startedMs());
        if (reports.isEmpty()) {
            err.println("prt: no JUnit XML report for the test run `" + commandText + "` (pass --junit-xml PATH); "
                    + "recorded as a command only");
            return;
        }
        JUnitXml.Report merged = new JUnitXml.Report(List.of());
        StringBuilder xml = new StringBuilder();
        for (Path r : reports) {
            byte[] bytes = Files.readAllBytes(r);
            try {
                merged = merged.merge(JUnitXml.parse(bytes));
                xml.append(new String(bytes, StandardCharsets.UTF_8)).append('\n');
            } catch (JUnitXml.NotAReport bad) {
                err.println("prt: " + r + " is not a JUnit XML report: " + bad.getMessage());
            }
        }
        String ref = Artifacts.put(ws, rec.redactText(xml.toString()).getBytes(StandardCharsets.UTF_8));
        rec.record("test_run", TestRuns.payload(plan, TestRuns.trim(commandText, 8192), e.exit(), duration, merged, ref));
        if (plan.report() != null && plan.report().startsWith(ws.tmp())) {
            Files.deleteIfExists(plan.report()); // the report prt arranged for; its text is an artifact now
        }
    }

    /** The command as typed: a single shell string as is, an argv shell-quoted. */
    static String commandText(List<String> argv) {
        if (argv.size() == 1) {
            return argv.get(0);
        }
        List<String> out = new ArrayList<>();
        for (String a : argv) {
            out.add(a.matches("[A-Za-z0-9_@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", out);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
