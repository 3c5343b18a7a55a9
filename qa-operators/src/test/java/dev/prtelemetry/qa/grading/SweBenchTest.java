package dev.prtelemetry.qa.grading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.sandbox.Limits;
import dev.prtelemetry.qa.sandbox.NamespaceSandbox;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real fixes from public repositories (../shared/corpus/real-fixes, SWE-bench task instances),
 * evaluated in the namespace sandbox: the gold patches resolve their instances with exactly the
 * instances' FAIL_TO_PASS / PASS_TO_PASS lists passing; empty and unrelated patches do not. A
 * subset, for CI's time: the one whose failure pytest renders from a 4,000-line module (it once
 * died of MemoryError under an address-space limit) and the smallest project.
 */
class SweBenchTest {
    static final Path CORPUS = Path.of("../../shared/corpus/real-fixes").toAbsolutePath().normalize();
    static final List<String> SUBSET = List.of("more-itertools-f51a53bf", "parse-5bc22a4c");
    static NamespaceSandbox sandbox;
    static List<SweBench.Instance> instances;

    @BeforeAll
    static void corpus() throws Exception {
        assumeTrue(Files.isRegularFile(CORPUS.resolve("instances.jsonl")), "the real-fixes corpus is not at " + CORPUS);
        sandbox = NamespaceSandbox.detect();
        assumeTrue(sandbox != null, "no namespace sandbox here (apt-get install bubblewrap)");
        instances = SweBench.readInstances(CORPUS.resolve("instances.jsonl")).stream().filter(i -> SUBSET.contains(i.id())).toList();
        assertThat(instances).hasSize(SUBSET.size());
    }

    static SweBench.Settings settings() {
        return new SweBench.Settings("python3 -m pytest -rA",
                new FailToPass.Options(1, Limits.defaults().withWallTimeout(Duration.ofSeconds(300)), Set.of()), 2);
    }

    @Test
    void goldPatchesResolveWithTheInstancesOwnTestLists() throws Exception {
        ObjectNode report = SweBench.evaluate(instances, null, CORPUS, sandbox, settings());
        assertThat(report.get("resolved_instances").asInt()).as(report.toPrettyString()).isEqualTo(SUBSET.size());
        for (SweBench.Instance i : instances) {
            JsonNode st = report.at("/instances/" + i.id() + "/tests_status");
            assertThat(strings(st.at("/FAIL_TO_PASS/success"))).isEqualTo(i.failToPass());
            assertThat(strings(st.at("/PASS_TO_PASS/success"))).isEqualTo(i.passToPass());
            assertThat(st.at("/FAIL_TO_PASS/failure")).isEmpty();
            assertThat(st.at("/PASS_TO_PASS/failure")).isEmpty();
        }
    }

    @Test
    void emptyAndUnrelatedPatchesResolveNothing() throws Exception {
        Map<String, String> empty = new HashMap<>();
        Map<String, String> unrelated = new HashMap<>();
        for (SweBench.Instance i : instances) {
            empty.put(i.id(), "");
            unrelated.put(i.id(), "diff --git a/NOTES.txt b/NOTES.txt\nnew file mode 100644\n--- /dev/null\n+++ b/NOTES.txt\n@@ -0,0 +1 @@\n+nothing\n");
        }
        ObjectNode none = SweBench.evaluate(instances, empty, CORPUS, sandbox, settings());
        assertThat(none.get("resolved_instances").asInt()).isZero();
        assertThat(none.get("empty_patch_instances").asInt()).isEqualTo(SUBSET.size());
        ObjectNode other = SweBench.evaluate(instances, unrelated, CORPUS, sandbox, settings());
        assertThat(other.get("resolved_instances").asInt()).as(other.toPrettyString()).isZero();
        for (SweBench.Instance i : instances) {
            JsonNode r = other.at("/instances/" + i.id());
            assertThat(r.get("patch_successfully_applied").asBoolean()).isTrue();
            assertThat(strings(r.at("/tests_status/FAIL_TO_PASS/failure"))).isEqualTo(i.failToPass());
        }
    }

    /** prt qa verify-patch's path: targets named as pytest node ids, a misspelt one an error naming the closest. */
    @Test
    void verifyPatchTakesPytestNodeIds() throws Exception {
        SweBench.Instance i = instances.stream().filter(x -> x.id().equals("parse-5bc22a4c")).findFirst().orElseThrow();
        Path dir = Workspaces.newFolder("prt-swe-test");
        try {
            Path repo = dir.resolve("repo");
            Files.createDirectories(repo);
            new ProcessBuilder("tar", "-xzf", CORPUS.resolve(i.id() + ".tar.gz").toString(), "-C", repo.toString()).inheritIO().start().waitFor();
            Path fix = Files.writeString(dir.resolve("fix.patch"), i.patch());
            Path tests = Files.writeString(dir.resolve("tests.patch"), i.testPatch());
            FailToPass.Options o = new FailToPass.Options(1, Limits.defaults(), Set.copyOf(i.failToPass()));
            ObjectNode v = TraceVerification.verifyPatch(repo, fix, tests, i.failToPass(), "python3 -m pytest -q test_parse.py", null, sandbox, o);
            assertThat(v.get("resolved").asBoolean()).as(v.toPrettyString()).isTrue();
            assertThat(strings(v.get("targets"))).containsExactly("test_parse.TestPattern::test_numbered");

            List<String> typo = List.of("test_parse.py::TestPattern::test_numberd");
            ObjectNode bad = TraceVerification.verifyPatch(repo, fix, tests, typo, "python3 -m pytest -q test_parse.py", null, sandbox,
                    new FailToPass.Options(1, Limits.defaults(), Set.copyOf(typo)));
            assertThat(bad.get("resolved").asBoolean()).isFalse();
            assertThat(bad.get("error").asText()).contains("matches no test").contains("closest: test_parse.TestPattern::test_numbered");
        } finally {
            FailToPass.deleteTree(dir);
        }
    }

    static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asText()));
        return out;
    }
}
