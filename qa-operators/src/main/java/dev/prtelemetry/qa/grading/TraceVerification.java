package dev.prtelemetry.qa.grading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Fail-to-pass verification of a recorded trace: the start state from the trace's snapshot
 * (or a local mirror of its origin) at its start commit; the after state is the start plus
 * every recorded edit in order; the before state is the start plus the edits to test files
 * only (tests the fix itself adds or changes run against the unfixed code, as SWE-bench does).
 * When the recorder's final patch is at hand it must agree with the replayed edits.
 */
public final class TraceVerification {
    private TraceVerification() {
    }

    /** What to verify with. {@code testCommand}/{@code framework} override the trace's environment. */
    public record Inputs(JsonNode document, Path startSource, Path finalPatch, String testCommand, String framework) {
    }

    public static ObjectNode verify(Inputs in, Sandbox sandbox, FailToPass.Options options) throws IOException, InterruptedException {
        if (sandbox == null) {
            return error("no sandbox: neither Docker nor a namespace sandbox (bubblewrap, or util-linux's unshare) is usable here; the trace waits", null);
        }
        JsonNode doc = in.document();
        String command = in.testCommand() != null ? in.testCommand() : doc.at("/environment/test_command").asText(null);
        if (command == null) {
            return error("the trace names no test command (environment.test_command); pass one", sandbox.kind());
        }
        String framework = in.framework() != null ? in.framework() : doc.at("/environment/test_framework").asText(null);
        Path base = Workspaces.newFolder("prt-qa");
        try {
            Path start = base.resolve("start");
            Workspaces.checkout(in.startSource(), doc.at("/repo/start_commit").asText(), start);
            TestCommand tests = TestCommand.of(command, framework, null, start);
            List<JsonNode> events = new ArrayList<>();
            doc.get("events").forEach(events::add);
            Path after = base.resolve("after");
            Files.createDirectories(after);
            Workspaces.copy(start, after);
            Path before = base.resolve("before");
            Files.createDirectories(before);
            Workspaces.copy(start, before);
            try {
                Workspaces.applyEdits(after, events, p -> true);
                Workspaces.applyEdits(before, events, p -> Workspaces.TEST_FILE.matcher(p).matches());
            } catch (Workspaces.RedactedEdit e) {
                ObjectNode out = error("not verifiable: a recorded edit was redacted — " + e.getMessage(), sandbox.kind());
                out.put("not_verifiable", "redacted");
                e.rules.forEach(r -> out.withArray("redacted_rules").add(r));
                return out;
            } catch (Workspaces.ReplayException e) {
                return error("the recorded edits do not reproduce: " + e.getMessage(), sandbox.kind());
            }
            String disagreement = in.finalPatch() == null ? null : finalPatchDisagreement(start, after, in.finalPatch(), base);
            FailToPass.Verdict v = new FailToPass(sandbox, options).grade(before, after, tests);
            ObjectNode out = v.toJson();
            out.put("framework", tests.framework());
            out.put("test_command", command);
            if (disagreement != null) {
                out.put("final_patch_disagrees", disagreement);
            }
            return out;
        } finally {
            FailToPass.deleteTree(base);
        }
    }

    /** Plain repository + patches, as SWE-bench task instances are checked. */
    public static ObjectNode verifyPatch(Path repo, Path fix, Path testPatch, List<String> targets, String command, String framework,
                                         Sandbox sandbox, FailToPass.Options options) throws IOException, InterruptedException {
        if (sandbox == null) {
            return error("no sandbox: neither Docker nor a namespace sandbox (bubblewrap, or util-linux's unshare) is usable here", null);
        }
        TestCommand tests = TestCommand.of(command, framework, null, repo);
        Path base = Workspaces.newFolder("prt-qa");
        try {
            Path before = base.resolve("before");
            Path after = base.resolve("after");
            Files.createDirectories(before);
            Workspaces.copy(repo, before);
            try {
                if (testPatch != null) {
                    Workspaces.applyPatch(before, testPatch);
                }
                Files.createDirectories(after);
                Workspaces.copy(before, after);
                Workspaces.applyPatch(after, fix);
            } catch (IOException e) {
                return error(e.getMessage(), sandbox.kind());
            }
            FailToPass.Options o = new FailToPass.Options(options.repeats(), options.limits(), new TreeSet<>(targets));
            ObjectNode out = new FailToPass(sandbox, o).grade(before, after, tests).toJson();
            out.put("framework", tests.framework());
            out.put("test_command", command);
            return out;
        } finally {
            FailToPass.deleteTree(base);
        }
    }

    static String finalPatchDisagreement(Path start, Path after, Path patch, Path base) throws IOException {
        Path check = base.resolve("final-patch");
        Files.createDirectories(check);
        Workspaces.copy(start, check);
        try {
            Workspaces.applyPatch(check, patch);
        } catch (IOException e) {
            return "the final patch does not apply to the start state: " + e.getMessage();
        }
        List<String> differ = new ArrayList<>();
        TreeSet<String> files = new TreeSet<>();
        for (Path root : List.of(check, after)) {
            try (var s = Files.walk(root)) {
                s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).filter(p -> !p.startsWith(".git/"))
                        .forEach(files::add);
            }
        }
        for (String f : files) {
            Path a = check.resolve(f);
            Path b = after.resolve(f);
            if (!Files.exists(a) || !Files.exists(b) || Files.mismatch(a, b) != -1) {
                differ.add(f);
            }
        }
        return differ.isEmpty() ? null : "the final patch and the recorded edits differ in " + differ;
    }

    static ObjectNode error(String message, String sandboxKind) {
        ObjectNode n = dev.prtelemetry.schemas.json.StrictJson.mapper().createObjectNode();
        n.put("resolved", false);
        n.put("error", message);
        n.put("sandbox", sandboxKind == null ? "none" : sandboxKind);
        n.putArray("tests");
        n.putArray("flaky");
        return n;
    }
}
