package dev.prtelemetry.qa.grading;

import dev.prtelemetry.schemas.tests.TestIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.sandbox.Sandbox;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * SWE-bench task instances evaluated with our fail-to-pass grading. An instance (SWE-bench's
 * field names: {@code instance_id, repo, base_commit, patch, test_patch, FAIL_TO_PASS,
 * PASS_TO_PASS}) names a repository at its base, the tests added for the bug and the gold fix;
 * a prediction ({@code instance_id, model_name_or_path, model_patch}) is a candidate fix. The
 * before state is base + test patch, the after state that + the candidate; both run in the
 * sandbox (the test files the instance's ids name, as SWE-bench runs them), and the report has
 * SWE-bench's shape: per instance {@code resolved} and {@code tests_status} with success and
 * failure lists of FAIL_TO_PASS and PASS_TO_PASS, in the instance's own ids, plus totals.
 */
public final class SweBench {
    /** One task instance. */
    public record Instance(String id, String repo, String baseCommit, String patch, String testPatch, List<String> failToPass,
                           List<String> passToPass, String testCommand) {
        /**
         * {@code test_command} is not SWE-bench's: instances exported from recorded traces carry the
         * command the trace's verification ran (any framework); it is run as given, the whole suite.
         */
        static Instance of(JsonNode n) {
            return new Instance(text(n, "instance_id"), n.path("repo").asText(""), n.path("base_commit").asText(""),
                    n.path("patch").asText(""), n.path("test_patch").asText(""), ids(n, "FAIL_TO_PASS"), ids(n, "PASS_TO_PASS"),
                    n.path("test_command").isTextual() ? n.get("test_command").asText() : null);
        }

        /** The test files the ids name (pytest node ids: the part before the first {@code ::}). */
        List<String> testFiles() {
            Set<String> files = new LinkedHashSet<>();
            for (String id : concat(failToPass, passToPass)) {
                int sep = id.indexOf("::");
                files.add(sep < 0 ? id : id.substring(0, sep));
            }
            return new ArrayList<>(files);
        }
    }

    /** How an evaluation runs. */
    public record Settings(String testCommand, FailToPass.Options options, int parallelism) {
    }

    private SweBench() {
    }

    /** Reads a JSONL file of instances (blank lines skipped); a line that is not an instance is an error naming it. */
    public static List<Instance> readInstances(Path jsonl) throws IOException {
        List<Instance> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(Instance.of(StrictJson.parse(line)));
            } catch (RuntimeException e) {
                throw new IOException(jsonl + " line " + n + ": not a task instance: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Reads predictions (JSONL, or a JSON array or object keyed by instance id): instance id → model_patch. */
    public static Map<String, String> readPredictions(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        List<JsonNode> items = new ArrayList<>();
        if (text.startsWith("[")) {
            StrictJson.parse(text).forEach(items::add);
        } else if (text.startsWith("{") && !text.contains("\n{")) {
            JsonNode all = StrictJson.parse(text);
            if (all.has("instance_id")) {
                items.add(all);
            } else {
                all.forEach(items::add);
            }
        } else {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    items.add(StrictJson.parse(line));
                }
            }
        }
        for (JsonNode p : items) {
            JsonNode patch = p.get("model_patch");
            out.put(text(p, "instance_id"), patch == null || patch.isNull() ? null : patch.asText());
        }
        return out;
    }

    /**
     * Evaluates every instance (the gold patch where {@code predictions} is null), in parallel up
     * to {@code settings.parallelism()}, each in its own folders and sandbox runs.
     */
    public static ObjectNode evaluate(List<Instance> instances, Map<String, String> predictions, Path repos, Sandbox sandbox,
                                      Settings settings) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, settings.parallelism()));
        Map<String, Future<ObjectNode>> running = new LinkedHashMap<>();
        for (Instance i : instances) {
            String patch = predictions == null ? i.patch() : predictions.get(i.id());
            boolean predicted = predictions == null || predictions.containsKey(i.id());
            running.put(i.id(), pool.submit(() -> predicted ? evaluate(i, patch, repos, sandbox, settings) : null));
        }
        pool.shutdown();
        ObjectNode report = StrictJson.mapper().createObjectNode();
        ObjectNode per = StrictJson.mapper().createObjectNode();
        List<String> resolved = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (var e : running.entrySet()) {
            ObjectNode r;
            try {
                r = e.getValue().get();
            } catch (java.util.concurrent.ExecutionException ex) {
                r = StrictJson.mapper().createObjectNode().put("resolved", false).put("error", String.valueOf(ex.getCause()));
            }
            if (r == null) {
                continue; // no prediction for it
            }
            per.set(e.getKey(), r);
            if (r.path("resolved").asBoolean()) {
                resolved.add(e.getKey());
            } else {
                unresolved.add(e.getKey());
            }
            if (r.path("patch_is_None").asBoolean() || !r.path("patch_exists").asBoolean(true)) {
                empty.add(e.getKey());
            }
            if (r.has("error")) {
                errors.add(e.getKey());
            }
        }
        pool.awaitTermination(1, TimeUnit.MINUTES);
        report.put("total_instances", instances.size());
        report.put("submitted_instances", per.size());
        report.put("completed_instances", per.size() - errors.size());
        report.put("resolved_instances", resolved.size());
        report.put("unresolved_instances", unresolved.size());
        report.put("empty_patch_instances", empty.size());
        report.put("error_instances", errors.size());
        strings(report.putArray("resolved_ids"), resolved);
        strings(report.putArray("unresolved_ids"), unresolved);
        strings(report.putArray("empty_patch_ids"), empty);
        strings(report.putArray("error_ids"), errors);
        report.put("sandbox", sandbox == null ? "none" : sandbox.kind());
        report.set("instances", per);
        return report;
    }

    /** One instance with one candidate patch (null or blank: empty). */
    public static ObjectNode evaluate(Instance i, String patch, Path repos, Sandbox sandbox, Settings settings)
            throws IOException, InterruptedException {
        ObjectNode r = StrictJson.mapper().createObjectNode();
        r.put("patch_is_None", patch == null);
        r.put("patch_exists", patch != null && !patch.isBlank());
        if (patch == null || patch.isBlank()) {
            r.put("patch_successfully_applied", false);
            r.put("resolved", false);
            r.set("tests_status", status(i, null, null));
            return r;
        }
        if (sandbox == null) {
            return r.put("resolved", false).put("error", "no sandbox: neither Docker nor a namespace sandbox is usable here");
        }
        Path base = Workspaces.newFolder("prt-swebench");
        try {
            Path before = base.resolve("before");
            Path after = base.resolve("after");
            Files.createDirectories(before);
            unpack(i, repos, before);
            if (!i.testPatch().isBlank()) {
                apply(before, base.resolve("test.patch"), i.testPatch());
            }
            Files.createDirectories(after);
            Workspaces.copy(before, after);
            try {
                apply(after, base.resolve("model.patch"), patch);
            } catch (IOException e) {
                r.put("patch_successfully_applied", false);
                r.put("resolved", false);
                r.put("apply_error", e.getMessage());
                r.set("tests_status", status(i, null, null));
                return r;
            }
            r.put("patch_successfully_applied", true);
            TestCommand tests;
            if (i.testCommand() != null) {
                tests = TestCommand.of(i.testCommand(), null, null, before);
            } else {
                List<String> argv = new ArrayList<>(TestCommand.shellWords(settings.testCommand()));
                argv.addAll(i.testFiles());
                tests = TestCommand.of(String.join(" ", argv.stream().map(SweBench::quote).toList()), null, null);
            }
            Set<String> targets = new TreeSet<>(i.failToPass());
            FailToPass.Options o = new FailToPass.Options(settings.options().repeats(), settings.options().limits(), targets);
            FailToPass.Verdict v = new FailToPass(sandbox, o).grade(before, after, tests);
            if (v.after() == null || v.after().error() != null || v.before() == null || v.before().error() != null) {
                r.put("resolved", false);
                r.put("error", v.error());
                r.set("tests_status", status(i, null, null));
                return r;
            }
            ObjectNode st = status(i, v.before(), v.after());
            boolean ok = st.at("/FAIL_TO_PASS/failure").isEmpty() && st.at("/PASS_TO_PASS/failure").isEmpty();
            r.put("resolved", ok);
            if (v.error() != null) {
                r.put("note", v.error());
            }
            r.set("tests_status", st);
            return r;
        } finally {
            FailToPass.deleteTree(base);
        }
    }

    /** SWE-bench's tests_status: each list's ids split by whether the test passed in the after state. */
    static ObjectNode status(Instance i, FailToPass.StateRuns before, FailToPass.StateRuns after) {
        ObjectNode st = StrictJson.mapper().createObjectNode();
        for (String list : List.of("FAIL_TO_PASS", "PASS_TO_PASS")) {
            List<String> ids = list.equals("FAIL_TO_PASS") ? i.failToPass() : i.passToPass();
            ObjectNode l = st.putObject(list);
            ArrayNode ok = l.putArray("success");
            ArrayNode bad = l.putArray("failure");
            Map<String, List<String>> resolved = after == null ? Map.of() : TestIds.resolve(ids, after.outcomes().keySet()).resolved();
            for (String id : ids) {
                List<String> keys = resolved.getOrDefault(id, List.of());
                (!keys.isEmpty() && keys.stream().allMatch(k -> "passed".equals(after.outcome(k))) ? ok : bad).add(id);
            }
        }
        return st;
    }

    private static void unpack(Instance i, Path repos, Path into) throws IOException, InterruptedException {
        Path dir = repos.resolve(i.id());
        Path tar = repos.resolve(i.id() + ".tar.gz");
        if (Files.isDirectory(dir)) {
            Workspaces.copy(dir, into);
        } else if (Files.isRegularFile(tar)) {
            Process p = new ProcessBuilder("tar", "-xzf", tar.toAbsolutePath().toString(), "-C", into.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("cannot unpack " + tar + ": " + out.strip());
            }
        } else {
            throw new IOException("no repository for " + i.id() + ": neither " + dir + "/ nor " + tar);
        }
    }

    private static void apply(Path dir, Path file, String patch) throws IOException {
        Files.writeString(file, patch.endsWith("\n") ? patch : patch + "\n", StandardCharsets.UTF_8);
        Workspaces.applyPatch(dir, file);
    }

    private static String quote(String word) {
        return word.matches("[A-Za-z0-9_@%+=:,./-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    private static List<String> ids(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        JsonNode list = v.isTextual() ? StrictJson.parse(v.asText()) : v; // SWE-bench stores them JSON-encoded
        List<String> out = new ArrayList<>();
        list.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v.asText();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }
}
