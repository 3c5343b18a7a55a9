package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.grading.FailToPass;
import dev.prtelemetry.qa.grading.TraceVerification;
import dev.prtelemetry.qa.sandbox.Limits;
import dev.prtelemetry.qa.sandbox.Sandbox;
import dev.prtelemetry.qa.sandbox.Sandboxes;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "qa", description = "Quality checks of traces, run locally (the same code the pipeline runs).",
        footer = {"", "Example:", "  prt qa verify examples/dates-leap-day/trace.json"},
        subcommands = {QaCommand.Verify.class, QaCommand.VerifyPatch.class, JudgeCommand.class, AgreementCommand.class})
final class QaCommand implements Runnable {
    @Spec
    CommandSpec spec;

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
}
