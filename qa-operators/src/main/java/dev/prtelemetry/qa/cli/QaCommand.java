package dev.prtelemetry.qa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.grading.FailToPass;
import dev.prtelemetry.qa.grading.SweBench;
import dev.prtelemetry.qa.grading.TraceVerification;
import dev.prtelemetry.qa.sandbox.Limits;
import dev.prtelemetry.qa.sandbox.Sandbox;
import dev.prtelemetry.qa.sandbox.Sandboxes;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "prt qa", description = "Quality checks of traces, run locally (the same code the pipeline runs).",
        footer = {"", "Example:", "  prt qa verify examples/dates-leap-day/trace.json"},
        mixinStandardHelpOptions = true,
        subcommands = {QaCommand.Verify.class, QaCommand.VerifyPatch.class, QaCommand.Swebench.class, JudgeCommand.class,
            AgreementCommand.class, QaCommand.Doctor.class})
public final class QaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /**
     * {@code prt qa …} (prt-qa.jar): the QA tools live with the QA operators, not in the recorder's
     * client jar, which so carries neither docker-java nor openai-java (issue 14).
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new QaCommand()).execute(args));
    }

    /** Which sandbox test re-runs would use here, and why (what {@code prt doctor} said before the split). */
    @Command(name = "doctor", description = "Say which sandbox verification would use on this machine, and why.")
    static final class Doctor implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Sandboxes.Choice choice = Sandboxes.choose();
            Sandbox sandbox = choice.sandbox();
            var out = spec.commandLine().getOut();
            if (sandbox == null) {
                out.println("no sandbox: " + choice.why() + " — apt-get install bubblewrap (or util-linux), or set DOCKER_HOST");
            } else {
                String memory = sandbox instanceof dev.prtelemetry.qa.sandbox.NamespaceSandbox
                        ? "; memory limited by " + (dev.prtelemetry.qa.sandbox.NamespaceSandbox.memoryControl(
                                dev.prtelemetry.qa.sandbox.Limits.defaults()).equals("cgroup") ? "a cgroup (memory used)"
                                : "address space only (no cgroup can be made here: run as root, or with a delegated cgroup v2)") : "";
                out.println("test re-runs use the " + choice.why() + memory);
            }
            out.flush();
            return choice.sandbox() == null ? 1 : 0;
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options both verifications share. */
    static class Common {
        @Option(names = "--json", description = "print one JSON object: resolved, tests [{id, before, after}], flaky, sandbox, error")
        boolean json;
        @Option(names = "--repeats", defaultValue = "3", description = "runs of a state that shows failures, to tell flaky from fixed (default: ${DEFAULT-VALUE})")
        int repeats;
        @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS", description = "wall-clock limit per test run (default: ${DEFAULT-VALUE})")
        long timeoutSeconds;
        @Option(names = "--test-command", paramLabel = "CMD", description = "how to run the tests (default: the trace's environment.test_command)")
        String testCommand;
        @Option(names = "--framework", description = "pytest, junit, go, jest, mocha… (default: detected from the command)")
        String framework;

        FailToPass.Options options(Set<String> targets) {
            return new FailToPass.Options(repeats, Limits.defaults().withWallTimeout(Duration.ofSeconds(timeoutSeconds)), targets);
        }
    }

    /** Prints the verdict; exit 0 resolved, 1 not resolved, 2 could not be judged. */
    static int report(ObjectNode v, boolean json, PrintWriter out) {
        if (json) {
            out.println(v.toPrettyString());
        } else {
            boolean judged = !v.has("error");
            out.println((v.get("resolved").asBoolean() ? "RESOLVED" : judged ? "NOT RESOLVED" : "NOT JUDGED")
                    + " (sandbox: " + v.path("sandbox").asText() + ")");
            if (v.has("error")) {
                out.println("  error: " + v.get("error").asText());
            }
            for (JsonNode t : v.path("tests")) {
                out.printf("  %-8s -> %-8s %s%n", t.get("before").asText(), t.get("after").asText(), t.get("id").asText());
            }
            for (String list : List.of("still_failing", "regressions", "flaky")) {
                if (v.path(list).size() > 0) {
                    out.println("  " + list.replace('_', ' ') + ": " + v.get(list));
                }
            }
            if (v.has("final_patch_disagrees")) {
                out.println("  finding: " + v.get("final_patch_disagrees").asText());
            }
            if (v.has("durations_ms")) {
                out.println("  runs (ms): before " + v.at("/durations_ms/before") + ", after " + v.at("/durations_ms/after"));
            }
        }
        return v.get("resolved").asBoolean() ? 0 : v.has("error") && v.path("tests").isEmpty() ? 2 : v.has("error") ? 2 : 1;
    }

    @Command(name = "verify", sortOptions = false,
            description = {"Fail-to-pass verification of a trace document in a sandbox: the start state (the trace's git "
                    + "bundle, or a clone of its repository) must fail its tests, the start plus the recorded edits must "
                    + "pass them, and no test that passed may fail. Exit 0 resolved, 1 not, 2 not judged."},
            footer = {"", "Examples:", "  prt qa verify examples/dates-leap-day/trace.json",
                "  prt qa verify trace.json --repo ~/src/project --json"})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "TRACE", description = "an assembled trace document (trace.json)")
        Path trace;
        @Option(names = "--snapshot", paramLabel = "BUNDLE", description = "the start snapshot (default: trace/start.bundle next to the document)")
        Path snapshot;
        @Option(names = "--repo", paramLabel = "DIR", description = "a local clone of the repository instead of a snapshot")
        Path repo;
        @Option(names = "--final-patch", paramLabel = "PATCH", description = "the recorder's final patch, checked against the edits")
        Path finalPatch;
        @CommandLine.Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            JsonNode doc = StrictJson.parse(Files.readAllBytes(trace));
            Path source = repo != null ? repo : snapshot != null ? snapshot
                    : trace.toAbsolutePath().getParent().resolve("trace").resolve("start.bundle");
            if (!Files.exists(source)) {
                spec.commandLine().getErr().println("prt qa verify: no start state: pass --snapshot BUNDLE or --repo DIR (looked for " + source + ")");
                return ExitCodes.USAGE;
            }
            Sandbox sandbox = Sandboxes.pick();
            ObjectNode v = TraceVerification.verify(new TraceVerification.Inputs(doc, source, finalPatch, common.testCommand,
                    common.framework), sandbox, common.options(Set.of()));
            v.put("trace_id", doc.path("trace_id").asText());
            return report(v, common.json, spec.commandLine().getOut());
        }
    }

    @Command(name = "verify-patch", sortOptions = false,
            description = {"Fail-to-pass verification of a plain repository and a patch, as SWE-bench-style task instances "
                    + "are checked: the before state is the repository plus the test patch, the after state that plus the fix."},
            footer = {"", "Example:", "  prt qa verify-patch --repo . --fix fix.patch --test-patch tests.patch --test-command \"python3 -m pytest -q\""})
    static final class VerifyPatch implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--repo", required = true, paramLabel = "DIR", description = "the repository at its base state")
        Path repo;
        @Option(names = "--fix", required = true, paramLabel = "PATCH", description = "the fix (git diff format)")
        Path fix;
        @Option(names = "--test-patch", paramLabel = "PATCH", description = "tests added or changed for the bug, applied to both states")
        Path testPatch;
        @Option(names = "--tests", paramLabel = "ID", split = ",", description = "the target tests (default: those failing before)")
        List<String> tests = List.of();
        @CommandLine.Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            if (common.testCommand == null) {
                spec.commandLine().getErr().println("prt qa verify-patch: --test-command is required");
                return ExitCodes.USAGE;
            }
            ObjectNode v = TraceVerification.verifyPatch(repo, fix, testPatch, tests, common.testCommand, common.framework,
                    Sandboxes.pick(), common.options(Set.copyOf(tests)));
            return report(v, common.json, spec.commandLine().getOut());
        }
    }

    @Command(name = "swebench", sortOptions = false,
            description = {"Evaluates SWE-bench task instances (instance_id, repo, base_commit, patch, test_patch, FAIL_TO_PASS, "
                    + "PASS_TO_PASS) with the fail-to-pass grading, in sandboxes, in parallel up to the cores: the before state is "
                    + "the repository plus the test patch, the after state that plus the prediction (SWE-bench's instance_id, "
                    + "model_name_or_path, model_patch), or the gold patch when no predictions are given. Writes a report in "
                    + "SWE-bench's shape (per instance resolved and tests_status, and totals). Exit 0 when every evaluated "
                    + "instance is resolved, 1 when not, 2 on wrong usage."},
            footer = {"", "Examples:", "  prt qa swebench ../shared/corpus/real-fixes/instances.jsonl --repos ../shared/corpus/real-fixes",
                "  prt qa swebench instances.jsonl --repos repos/ --predictions preds.jsonl --report report.json"})
    static final class Swebench implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "INSTANCES", description = "task instances, one JSON object per line")
        Path instances;
        @Option(names = "--repos", required = true, paramLabel = "DIR",
                description = "the repositories at their base commits: DIR/<instance_id>.tar.gz or DIR/<instance_id>/")
        Path repos;
        @Option(names = "--predictions", paramLabel = "FILE", description = "candidate patches (JSONL or JSON); default: the gold patches")
        Path predictions;
        @Option(names = "--report", paramLabel = "FILE", description = "write the report here too")
        Path reportFile;
        @Option(names = "--instance", paramLabel = "ID", split = ",", description = "only these instances")
        List<String> only = List.of();
        @Option(names = "--parallel", paramLabel = "N", description = "instances at once (default: the cores)")
        Integer parallel;
        @Option(names = "--json", description = "print the report as JSON")
        boolean json;
        @Option(names = "--repeats", defaultValue = "1", description = "runs of a state that shows failures (default: ${DEFAULT-VALUE})")
        int repeats;
        @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS", description = "wall-clock limit per test run (default: ${DEFAULT-VALUE})")
        long timeoutSeconds;
        @Option(names = "--test-command", defaultValue = "python3 -m pytest -rA", paramLabel = "CMD",
                description = "the test runner; the instance's test files are appended (default: ${DEFAULT-VALUE})")
        String testCommand;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<SweBench.Instance> all;
            Map<String, String> preds;
            try {
                all = SweBench.readInstances(instances);
                preds = predictions == null ? null : SweBench.readPredictions(predictions);
            } catch (IOException | RuntimeException e) {
                spec.commandLine().getErr().println("prt qa swebench: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            List<SweBench.Instance> chosen = only.isEmpty() ? all : all.stream().filter(i -> only.contains(i.id())).toList();
            int cores = parallel != null ? parallel : Runtime.getRuntime().availableProcessors();
            FailToPass.Options options = new FailToPass.Options(repeats,
                    Limits.defaults().withWallTimeout(Duration.ofSeconds(timeoutSeconds)), Set.of());
            long t0 = System.nanoTime();
            ObjectNode report = SweBench.evaluate(chosen, preds, repos, Sandboxes.pick(), new SweBench.Settings(testCommand, options, cores));
            double seconds = (System.nanoTime() - t0) / 1e9;
            report.put("wall_seconds", Math.round(seconds * 10) / 10.0);
            report.put("parallelism", cores);
            if (reportFile != null) {
                Files.writeString(reportFile, report.toPrettyString() + "\n");
            }
            if (json) {
                out.println(report.toPrettyString());
            } else {
                report.path("instances").fields().forEachRemaining(e -> {
                    JsonNode r = e.getValue();
                    out.printf("%-13s %s%s%n", r.path("resolved").asBoolean() ? "RESOLVED" : r.has("error") ? "ERROR" : "NOT RESOLVED",
                            e.getKey(), r.has("error") ? ": " + r.get("error").asText()
                                    : r.path("patch_exists").asBoolean(true) ? failures(r) : " (empty patch)");
                });
                out.printf("%d/%d resolved (%s sandbox, %d at once, %.1f s, %.1f instances/min)%n", report.get("resolved_instances").asInt(),
                        report.get("submitted_instances").asInt(), report.get("sandbox").asText(), cores, seconds,
                        seconds == 0 ? 0 : report.get("submitted_instances").asInt() * 60 / seconds);
            }
            return report.get("resolved_instances").asInt() == report.get("submitted_instances").asInt() ? ExitCodes.OK : ExitCodes.INVALID;
        }

        private static String failures(JsonNode r) {
            int f2p = r.at("/tests_status/FAIL_TO_PASS/failure").size();
            int p2p = r.at("/tests_status/PASS_TO_PASS/failure").size();
            return f2p + p2p == 0 ? "" : " (FAIL_TO_PASS failing: " + f2p + ", PASS_TO_PASS failing: " + p2p + ")";
        }
    }
}
