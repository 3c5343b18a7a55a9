package dev.prtelemetry.qa.grading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.sandbox.NamespaceSandbox;
import dev.prtelemetry.qa.sandbox.Sandbox;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real fail-to-pass runs of the recorded examples in the namespace sandbox (pytest as the
 * unprivileged user: Debian's python3-pytest, which CI installs).
 */
class ExampleVerificationTest {
    static final Path EXAMPLES = Path.of("../examples").toAbsolutePath().normalize();
    static Sandbox sandbox;

    @BeforeAll
    static void sandbox() {
        sandbox = NamespaceSandbox.detect();
    }

    static ObjectNode verify(String example) throws Exception {
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        JsonNode doc = StrictJson.parse(Files.readAllBytes(EXAMPLES.resolve(example).resolve("trace.json")));
        return TraceVerification.verify(new TraceVerification.Inputs(doc, EXAMPLES.resolve(example).resolve("trace/start.bundle"),
                null, null, null), sandbox, FailToPass.Options.defaults());
    }

    @Test
    void theFixedExamplesVerifyAsFixed() throws Exception {
        ObjectNode dates = verify("dates-leap-day");
        assertThat(dates.get("resolved").asBoolean()).as(dates.toPrettyString()).isTrue();
        assertThat(dates.get("targets").toString()).contains("test_parse_leap_day").contains("test_every_fourth_century_is_a_leap_year");
        assertThat(dates.get("sandbox").asText()).isEqualTo("namespace");
        ObjectNode cart = verify("cart-discount");
        assertThat(cart.get("resolved").asBoolean()).as(cart.toPrettyString()).isTrue();
        assertThat(cart.get("targets")).hasSize(3);
    }

    /**
     * The Java example verifies offline inside the sandbox: {@code mvn -o} on this machine's Maven
     * repository (read-only, mirrored for the sandbox user), JUnit 5 results from every module's
     * Surefire reports, a parameterised test's invocations each a test.
     */
    @Test
    void theJavaExampleVerifiesWithMavenOffline() throws Exception {
        ObjectNode v = verify("java-pagination");
        assertThat(v.get("resolved").asBoolean()).as(v.toPrettyString()).isTrue();
        assertThat(v.get("framework").asText()).isEqualTo("junit");
        assertThat(v.get("tests")).hasSize(10);
        assertThat(v.get("targets").toString()).contains("org.example.paging.PaginatorTest::theLastPageHoldsTheRest")
                .contains("aPartialLastPageCounts(int, int, int)[2]").doesNotContain("fullPagesOnly");
    }

    /**
     * The Node example ({@code npm test}, which package.json says is Jest) verifies: node_modules
     * installed offline from this machine's npm cache, results through jest-junit as
     * {@code file::describe › test}. The cache is filled first as a developer's is, by installing
     * the project once where the registry answers.
     */
    @Test
    void theNodeExampleVerifiesWithJest() throws Exception {
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        LanguagesTest.installOnce(EXAMPLES.resolve("node-version-sort/repo"));
        ObjectNode v = verify("node-version-sort");
        assertThat(v.get("resolved").asBoolean()).as(v.toPrettyString()).isTrue();
        assertThat(v.get("framework").asText()).isEqualTo("jest");
        assertThat(v.get("tests")).hasSize(8);
        assertThat(v.get("targets").toString()).contains("test/versions.test.js::compare › orders multi-digit parts by number")
                .contains("test/versions.test.js::sortVersions › latest is the newest");
    }

    /**
     * A secret in an edited file is redacted on the server (or by the recorder): the trace no longer
     * holds the code after that edit, and the verdict says exactly that — which edit, which rule —
     * instead of an infrastructure error or "the edits do not reproduce".
     */
    @Test
    void aRedactedEditGivesAVerdictThatSaysSo() throws Exception {
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        ObjectNode doc = (ObjectNode) StrictJson.parse(Files.readAllBytes(EXAMPLES.resolve("dates-leap-day/trace.json")));
        for (JsonNode e : doc.get("events")) {
            if (e.path("type").asText().equals("file_edit")) {
                ObjectNode sr = ((ObjectNode) e).putObject("server_redaction");
                sr.put("rule_set", "prt-redaction@1");
                sr.putArray("redactions").addObject().put("rule", "aws-access-key-id").put("pointer", "/payload/diff")
                        .put("start", 10).put("end", 30).put("fingerprint", "hmac-sha256:00");
            }
        }
        ObjectNode v = TraceVerification.verify(new TraceVerification.Inputs(doc, EXAMPLES.resolve("dates-leap-day/trace/start.bundle"),
                null, null, null), sandbox, FailToPass.Options.defaults());
        assertThat(v.get("resolved").asBoolean()).isFalse();
        assertThat(v.get("not_verifiable").asText()).isEqualTo("redacted");
        assertThat(v.get("redacted_rules").toString()).contains("aws-access-key-id");
        assertThat(v.get("error").asText()).startsWith("not verifiable: a recorded edit was redacted")
                .contains("dates/parse.py").contains("aws-access-key-id").doesNotContain("do not reproduce");
    }

    @Test
    void theFailedAttemptIsNotFixedAndNamesTheStillFailingTest() throws Exception {
        ObjectNode auth = verify("auth-token-expiry");
        assertThat(auth.get("resolved").asBoolean()).isFalse();
        assertThat(auth.has("error")).isFalse();
        assertThat(auth.get("still_failing").toString()).contains("test_a_token_valid_past_the_next_digit_is_accepted");
        assertThat(auth.get("regressions")).isEmpty();
    }

    @Test
    void verifyingTheSameTraceTwiceGivesTheSameVerdict() throws Exception {
        ObjectNode first = verify("dates-leap-day");
        ObjectNode second = verify("dates-leap-day");
        first.remove("durations_ms");
        second.remove("durations_ms");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aFixThatBreaksAnotherTestIsNotFixedAndNamesTheRegression(@TempDir Path tmp) throws Exception {
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        Path repo = Workspaces.newFolder("prt-qa-repo");
        Workspaces.copy(EXAMPLES.resolve("dates-leap-day/repo"), repo);
        Path fix = tmp.resolve("fix.patch");
        Files.writeString(fix, """
                --- a/dates/parse.py
                +++ b/dates/parse.py
                @@ -4,6 +4,6 @@
                 def is_leap(year):
                     \"\"\"Gregorian rule: every 4th year is a leap year, except centuries, except every 4th century.\"\"\"
                -    return year % 4 == 0 and (year % 100 != 0 and year % 400 == 0)
                +    return year % 4 == 0
                \s
                \s
                 def days_in_month(year, month):
                """);
        ObjectNode v = TraceVerification.verifyPatch(repo, fix, null, List.of(), "python3 -m pytest -q", null, sandbox,
                FailToPass.Options.defaults());
        assertThat(v.get("resolved").asBoolean()).as(v.toPrettyString()).isFalse();
        assertThat(v.get("regressions").toString()).contains("test_centuries_are_not_leap_years");
        assertThat(v.get("still_failing")).isEmpty();
        FailToPass.deleteTree(repo);
    }

    @Test
    void aRunThatCollectsNoTestsOrTimesOutIsNeverAPass(@TempDir Path tmp) throws Exception {
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        Path repo = Workspaces.newFolder("prt-qa-empty");
        Files.writeString(repo.resolve("README"), "no tests here\n");
        Path fix = tmp.resolve("fix.patch");
        Files.writeString(fix, "--- a/README\n+++ b/README\n@@ -1 +1 @@\n-no tests here\n+still none\n");
        ObjectNode none = TraceVerification.verifyPatch(repo, fix, null, List.of(), "python3 -m pytest -q", null, sandbox,
                FailToPass.Options.defaults());
        assertThat(none.get("resolved").asBoolean()).isFalse();
        assertThat(none.get("error").asText()).contains("no tests collected");

        Files.writeString(repo.resolve("test_slow.py"), "import time\ndef test_slow():\n    time.sleep(60)\n");
        FailToPass.Options quick = new FailToPass.Options(1,
                dev.prtelemetry.qa.sandbox.Limits.defaults().withWallTimeout(java.time.Duration.ofSeconds(3)), java.util.Set.of());
        ObjectNode slow = TraceVerification.verifyPatch(repo, fix, null, List.of(), "python3 -m pytest -q", null, sandbox, quick);
        assertThat(slow.get("resolved").asBoolean()).isFalse();
        assertThat(slow.get("error").asText()).contains("timed out");
        FailToPass.deleteTree(repo);
    }
}
