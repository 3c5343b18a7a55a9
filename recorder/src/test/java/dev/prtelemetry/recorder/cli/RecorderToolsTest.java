package dev.prtelemetry.recorder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prt junit and prt qa verify, as a user runs them. */
class RecorderToolsTest {
    static final Path EXAMPLES = Path.of("../examples").toAbsolutePath().normalize();

    @Test
    void junitPrintsCountsPerFileAndFailsOnAnUnreadableOne(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.xml");
        Files.writeString(good, "<testsuite><testcase name=\"a\"/><testcase name=\"b\"><failure/></testcase>"
                + "<testcase name=\"c\"><error/></testcase><testcase name=\"d\"><skipped/></testcase></testsuite>");
        Path bad = dir.resolve("bad.xml");
        Files.writeString(bad, "<testsuite><testcase");
        Path notJunit = dir.resolve("pom.xml");
        Files.writeString(notJunit, "<project><modelVersion>4.0.0</modelVersion></project>");
        var ok = PrtRunner.run("junit", good.toString());
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.line()).endsWith("good.xml: 4 testcases; 4 tests: 1 passed, 1 failed, 1 errored, 1 skipped");
        var json = PrtRunner.run("junit", "--json", good.toString(), bad.toString(), notJunit.toString());
        assertThat(json.exitCode()).isEqualTo(1);
        String[] lines = json.out().strip().split("\n");
        JsonNode first = StrictJson.parse(lines[0]);
        assertThat(first.get("testcases").asInt()).isEqualTo(4);
        assertThat(first.get("tests").asInt()).isEqualTo(4);
        assertThat(first.get("errored").asInt()).isEqualTo(1);
        assertThat(StrictJson.parse(lines[1]).get("error").asText()).isNotBlank();
        assertThat(StrictJson.parse(lines[2]).get("error").asText()).contains("<project>").contains("not <testsuites> or <testsuite>");
    }

    /**
     * A rerun (Surefire's rerunFailingTestsCount, pytest-rerunfailures) or a suite listed twice repeats a
     * name: the report's own count is every {@code <testcase>}, as other tools count; the graded
     * outcome per test is its worst, and the command says which rule decided.
     */
    @Test
    void junitCountsEveryTestcaseAndSaysHowARepeatedNameIsGraded(@TempDir Path dir) throws Exception {
        Path rerun = dir.resolve("TEST-demo.CalcTest.xml");
        Files.writeString(rerun, "<testsuites><testsuite name=\"demo.CalcTest\">"
                + "<testcase classname=\"demo.CalcTest\" name=\"adds\"><failure message=\"expected 3\"/></testcase>"
                + "<testcase classname=\"demo.CalcTest\" name=\"adds\"/>"
                + "<testcase classname=\"demo.CalcTest\" name=\"subtracts\"/></testsuite></testsuites>");
        var text = PrtRunner.run("junit", rerun.toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("3 testcases; 2 tests: 1 passed, 1 failed, 0 errored, 0 skipped")
                .contains("demo.CalcTest::adds reported 2 times (failed, passed): graded failed — error over failure over skipped over passed");
        JsonNode j = StrictJson.parse(PrtRunner.run("junit", "--json", rerun.toString()).out().strip());
        assertThat(j.get("testcases").asInt()).isEqualTo(3);
        assertThat(j.get("tests").asInt()).isEqualTo(2);
        assertThat(j.at("/repeated/0/id").asText()).isEqualTo("demo.CalcTest::adds");
        assertThat(j.at("/repeated/0/results").toString()).isEqualTo("[\"failed\",\"passed\"]");
        assertThat(j.at("/repeated/0/graded").asText()).isEqualTo("failed");
        assertThat(j.get("repeat_rule").asText()).startsWith("error over failure");
    }











































































    @Test
    void redactPrintsTheRedactedTextAndEachFinding(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("app.env");
        Files.writeString(f, "DEBUG=1\nGITLAB_TOKEN=glpat-Xk9mQ2zR7tV4wY1bC5dE\n");
        var r = PrtRunner.run("redact", f.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("DEBUG=1\nGITLAB_TOKEN=[REDACTED:gitlab-token]\n");
        assertThat(r.err().strip()).isEqualTo(f + ":2:14-39 gitlab-token");
        var json = PrtRunner.run("redact", "--json", f.toString());
        JsonNode finding = StrictJson.parse(json.out()).at("/files/0/findings/0");
        assertThat(finding.get("rule").asText()).isEqualTo("gitlab-token");
        assertThat(finding.get("line").asInt()).isEqualTo(2);
        assertThat(finding.get("columns").toString()).isEqualTo("[14,39]");
        Path clean = dir.resolve("clean.py");
        Files.writeString(clean, "token = get_token_from_header(request)\n");
        assertThat(PrtRunner.run("redact", clean.toString()).exitCode()).isZero();
    }
}
