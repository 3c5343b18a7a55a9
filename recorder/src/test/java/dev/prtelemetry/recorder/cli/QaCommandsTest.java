package dev.prtelemetry.recorder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.qa.sandbox.NamespaceSandbox;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prt junit and prt qa verify, as a user runs them. */
class QaCommandsTest {
    static final Path EXAMPLES = Path.of("../examples").toAbsolutePath().normalize();

    @Test
    void junitPrintsCountsPerFileAndFailsOnAnUnreadableOne(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.xml");
        Files.writeString(good, "<testsuite><testcase name=\"a\"/><testcase name=\"b\"><failure/></testcase>"
                + "<testcase name=\"c\"><error/></testcase><testcase name=\"d\"><skipped/></testcase></testsuite>");
        Path bad = dir.resolve("bad.xml");
        Files.writeString(bad, "<testsuite><testcase");
        var ok = PrtRunner.run("junit", good.toString());
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.line()).endsWith("good.xml: 4 cases, 1 passed, 1 failed, 1 errored, 1 skipped");
        var json = PrtRunner.run("junit", "--json", good.toString(), bad.toString());
        assertThat(json.exitCode()).isEqualTo(1);
        String[] lines = json.out().strip().split("\n");
        JsonNode first = StrictJson.parse(lines[0]);
        assertThat(first.get("cases").asInt()).isEqualTo(4);
        assertThat(first.get("errored").asInt()).isEqualTo(1);
        assertThat(StrictJson.parse(lines[1]).get("error").asText()).isNotBlank();
    }

    @Test
    void qaVerifyJudgesTheExamplesWithExitCodes() throws Exception {
        assumeTrue(NamespaceSandbox.detect() != null, "bubblewrap is not usable here");
        var fixed = PrtRunner.run("qa", "verify", "--json", EXAMPLES.resolve("dates-leap-day/trace.json").toString());
        assertThat(fixed.exitCode()).as(fixed.out() + fixed.err()).isZero();
        JsonNode v = StrictJson.parse(fixed.out());
        assertThat(v.get("resolved").asBoolean()).isTrue();
        assertThat(v.get("tests").get(0).has("before")).isTrue();
        var failed = PrtRunner.run("qa", "verify", EXAMPLES.resolve("auth-token-expiry/trace.json").toString());
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.out()).contains("NOT RESOLVED").contains("still failing");
        var noSnapshot = PrtRunner.run("qa", "verify", "--snapshot", "/nonexistent.bundle",
                EXAMPLES.resolve("auth-token-expiry/trace.json").toString());
        assertThat(noSnapshot.exitCode()).isEqualTo(2);
    }
}
