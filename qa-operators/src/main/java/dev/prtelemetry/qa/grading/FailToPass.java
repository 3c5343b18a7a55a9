package dev.prtelemetry.qa.grading;

import dev.prtelemetry.schemas.tests.TestIds;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.tests.JUnitXml;
import dev.prtelemetry.qa.sandbox.Limits;
import dev.prtelemetry.qa.sandbox.Sandbox;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * SWE-bench's grading with a real sandbox: the tests run at the before state (the bug must
 * reproduce: the target tests fail) and at the after state (the targets pass, and every test
 * that passed before still passes). A state whose run shows a failure is run again, up to
 * {@code repeats} times in all; a test whose outcome changes between runs of one state is
 * flaky — never counted as fixed. A run that collected no tests, crashed, timed out or was
 * killed by a limit is an infrastructure error, never a pass.
 */
public final class FailToPass {
    /** How one state's runs came out: per test, its outcome in each run; or why it could not be judged. */
    public record StateRuns(Map<String, List<String>> outcomes, String error, List<Long> durationsMs, String lastOutput) {
        /** The test's outcome if every run agrees, "flaky" if not, "missing" if it never ran. */
        public String outcome(String id) {
            List<String> o = outcomes.get(id);
            if (o == null || o.isEmpty()) {
                return "missing";
            }
            return o.stream().distinct().count() == 1 ? o.get(0) : "flaky";
        }
    }

    public record Options(int repeats, Limits limits, Set<String> targets) {
        public static Options defaults() {
            return new Options(3, Limits.defaults(), Set.of());
        }
    }

    /** The verdict, and everything that supports it. */
    public record Verdict(boolean resolved, String error, List<String> targets, List<String> stillFailing,
                          List<String> regressions, List<String> flaky, Map<String, String[]> tests, String sandbox,
                          Limits limits, StateRuns before, StateRuns after, String sandboxTool) {
        /** The JSON the tools print and the pipeline stores. */
        public ObjectNode toJson() {
            ObjectNode n = StrictJson.mapper().createObjectNode();
            n.put("resolved", resolved);
            if (error != null) {
                n.put("error", error);
            }
            n.put("sandbox", sandbox);
            if (sandboxTool != null && !sandboxTool.equals(sandbox)) {
                n.put("sandbox_tool", sandboxTool);
            }
            ArrayNode t = n.putArray("tests");
            tests.forEach((id, ba) -> t.addObject().put("id", id).put("before", ba[0]).put("after", ba[1]));
            strings(n.putArray("targets"), targets);
            strings(n.putArray("still_failing"), stillFailing);
            strings(n.putArray("regressions"), regressions);
            strings(n.putArray("flaky"), flaky);
            ObjectNode l = n.putObject("limits");
            l.put("wall_timeout_s", limits.wallTimeout().toSeconds());
            l.put("cpu_s", limits.cpuSeconds());
            l.put("memory_bytes", limits.memoryBytes());
            l.put("pids", limits.pids());
            l.put("file_size_bytes", limits.fileSizeBytes());
            ObjectNode d = n.putObject("durations_ms");
            if (before != null) {
                strings(d.putArray("before"), before.durationsMs().stream().map(String::valueOf).toList());
            }
            if (after != null) {
                strings(d.putArray("after"), after.durationsMs().stream().map(String::valueOf).toList());
            }
            return n;
        }

        private static void strings(ArrayNode a, List<String> values) {
            values.forEach(a::add);
        }
    }

    private final Sandbox sandbox;
    private final Options options;

    public FailToPass(Sandbox sandbox, Options options) {
        this.sandbox = sandbox;
        this.options = options;
    }

    public Verdict grade(Path before, Path after, TestCommand tests) throws IOException, InterruptedException {
        StateRuns b = runState(before, tests);
        if (b.error() != null) {
            return failed("the before state could not be judged: " + b.error() + tail(b.lastOutput()), b, null);
        }
        StateRuns a = runState(after, tests);
        if (a.error() != null) {
            return failed("the after state could not be judged: " + a.error() + tail(a.lastOutput()), b, a);
        }
        Set<String> ids = new TreeSet<>(b.outcomes().keySet());
        ids.addAll(a.outcomes().keySet());
        Map<String, String[]> table = new LinkedHashMap<>();
        List<String> flaky = new ArrayList<>();
        for (String id : ids) {
            table.put(id, new String[] {b.outcome(id), a.outcome(id)});
            if (b.outcome(id).equals("flaky") || a.outcome(id).equals("flaky")) {
                flaky.add(id);
            }
        }
        List<String> targets = new ArrayList<>();
        if (!options.targets().isEmpty()) {
            TestIds.Resolution res = TestIds.resolve(options.targets(), ids);
            if (!res.complete()) {
                return new Verdict(false, "the target tests are not among the tests the runs reported: " + res.describe(), List.of(),
                        List.of(), List.of(), flaky, table, sandbox.kind(), options.limits(), b, a, sandbox.tool());
            }
            res.resolved().values().stream().flatMap(List::stream).distinct().forEach(targets::add);
        } else {
            for (String id : ids) {
                if (isFailure(b.outcome(id))) {
                    targets.add(id);
                }
            }
        }
        List<String> stillFailing = targets.stream().filter(id -> !"passed".equals(a.outcome(id))).toList();
        // a named target may be new with the fix's tests (absent before: it cannot have passed); a detected one failed
        List<String> notReproduced = targets.stream().filter(id -> !isFailure(b.outcome(id)) && !"missing".equals(b.outcome(id)))
                .toList();
        List<String> regressions = ids.stream().filter(id -> "passed".equals(b.outcome(id)) && !"passed".equals(a.outcome(id)))
                .filter(id -> !flaky.contains(id)).toList();
        String error = null;
        if (targets.isEmpty()) {
            error = "no test fails at the before state: the bug does not reproduce";
        } else if (!notReproduced.isEmpty()) {
            error = "target tests do not fail at the before state: " + notReproduced;
        }
        boolean resolved = error == null && stillFailing.isEmpty() && regressions.isEmpty();
        return new Verdict(resolved, error, targets, stillFailing, regressions, flaky, table, sandbox.kind(), options.limits(), b, a, sandbox.tool());
    }

    private Verdict failed(String error, StateRuns b, StateRuns a) {
        return new Verdict(false, error, List.of(), List.of(), List.of(), List.of(), Map.of(), sandbox.kind(), options.limits(), b, a, sandbox.tool());
    }

    /** The last lines of a run's output, for a verdict that could not be reached: what the runner itself said. */
    static String tail(String output) {
        if (output == null || output.isBlank()) {
            return "";
        }
        List<String> lines = output.strip().lines().toList();
        String last = String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        return "; the run's last lines:\n" + (last.length() > 2000 ? last.substring(last.length() - 2000) : last);
    }

    static boolean isFailure(String outcome) {
        return "failed".equals(outcome) || "error".equals(outcome);
    }

    /** Runs one state once, and again (up to the repeats) while any test fails. */
    StateRuns runState(Path dir, TestCommand tests) throws IOException, InterruptedException {
        Map<String, List<String>> outcomes = new LinkedHashMap<>();
        List<Long> durations = new ArrayList<>();
        String output = "";
        String notInstalled = tests.installInto(dir);
        if (notInstalled != null) {
            return new StateRuns(outcomes, notInstalled, durations, output);
        }
        for (int run = 0; run < Math.max(1, options.repeats()); run++) {
            Path out = Workspaces.newFolder("prt-qa-out");
            try {
                Sandbox.Result r = sandbox.run(dir, tests.sandboxArgv(), runEnv(tests), options.limits(), out, tests.mounts());
                durations.add(r.durationMs());
                output = r.output();
                if (r.timedOut()) {
                    return new StateRuns(outcomes, "the tests timed out after " + options.limits().wallTimeout().toSeconds() + " s",
                            durations, output);
                }
                if (r.killed()) {
                    return new StateRuns(outcomes, "the test run was killed (" + (r.signal() == null ? "by a limit" : "SIG" + r.signal())
                            + "; memory, CPU, processes or file size)", durations, output);
                }
                if ("pytest".equals(tests.framework()) && r.exitCode() != null && r.exitCode() > 1) {
                    return new StateRuns(outcomes, "pytest exited " + r.exitCode() + switch (r.exitCode()) {
                        case 2 -> " (interrupted, or collection errors)";
                        case 3 -> " (internal error)";
                        case 4 -> " (usage error)";
                        case 5 -> " (no tests collected)";
                        default -> "";
                    }, durations, output);
                }
                JUnitXml.Report report = readReports(out);
                if (report == null) {
                    return new StateRuns(outcomes, "the test run left no JUnit XML report (exit " + r.exitCode() + ")", durations, output);
                }
                if (report.cases().isEmpty()) {
                    return new StateRuns(outcomes, "the test run collected no tests", durations, output);
                }
                boolean anyFailure = false;
                for (JUnitXml.Case c : report.cases()) {
                    outcomes.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(c.outcome().wireName());
                    anyFailure |= c.outcome() == JUnitXml.Outcome.FAILED || c.outcome() == JUnitXml.Outcome.ERROR;
                }
                if (!anyFailure) {
                    break;
                }
            } catch (JUnitXml.NotAReport e) {
                return new StateRuns(outcomes, "the test report is unreadable: " + e.getMessage(), durations, output);
            } finally {
                deleteTree(out);
            }
        }
        // a test missing from some runs changed outcome as much as one that flipped
        int runs = durations.size();
        outcomes.replaceAll((id, o) -> {
            List<String> padded = new ArrayList<>(o);
            while (padded.size() < runs) {
                padded.add("missing");
            }
            return padded;
        });
        return new StateRuns(outcomes, null, durations, output);
    }

    /**
     * The run's environment: the command's own (report locations, caches), and for JVM builds a
     * heap sized to the memory limit, since a JVM sizes its heap by the machine's memory, not the
     * sandbox's (Maven and each Surefire fork would reserve a quarter of the host each).
     */
    Map<String, String> runEnv(TestCommand tests) {
        Map<String, String> env = new LinkedHashMap<>(tests.env());
        if ("junit".equals(tests.framework())) {
            env.putIfAbsent("JAVA_TOOL_OPTIONS", "-XX:MaxRAM=" + options.limits().memoryBytes() + " -XX:+UseSerialGC");
        }
        return env;
    }

    static JUnitXml.Report readReports(Path out) throws IOException, JUnitXml.NotAReport {
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.filter(p -> p.toString().endsWith(".xml") || p.toString().endsWith(TestCommand.GO_REPORT)).sorted().toList();
        }
        if (files.isEmpty()) {
            return null;
        }
        JUnitXml.Report all = new JUnitXml.Report(List.of());
        for (Path f : files) {
            all = all.merge(f.toString().endsWith(TestCommand.GO_REPORT)
                    ? dev.prtelemetry.schemas.tests.GoTestJson.parse(Files.readString(f)) : JUnitXml.parse(f));
        }
        return all;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
