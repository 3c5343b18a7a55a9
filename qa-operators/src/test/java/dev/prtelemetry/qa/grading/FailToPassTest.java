package dev.prtelemetry.qa.grading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prtelemetry.qa.sandbox.Limits;
import dev.prtelemetry.qa.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The grading rules on scripted runs (a scripted sandbox that writes the reports a test run
 * would: it stands in for the test run, not for the grader under test): flaky tests are
 * reported, not fixed; repeats stop at the first clean run; crashes are infrastructure errors.
 */
class FailToPassTest {
    /** Writes the next scripted report into the output folder on each run. */
    static final class Scripted implements Sandbox {
        final Deque<String> reports = new ArrayDeque<>();
        int runs;

        Scripted(String... reports) {
            this.reports.addAll(List.of(reports));
        }

        @Override
        public String kind() {
            return "scripted";
        }

        @Override
        public Result run(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir,
                          List<Mount> readOnly) throws java.io.IOException {
            runs++;
            String next = reports.poll();
            if (next == null || next.equals("CRASH")) {
                return new Result(null, false, "SEGV", "Segmentation fault", 5);
            }
            Files.writeString(outDir.resolve("report.xml"), next);
            return new Result(next.contains("<failure") ? 1 : 0, false, null, "", 5);
        }
    }

    static String report(String... cases) {
        StringBuilder s = new StringBuilder("<testsuite>");
        for (String c : cases) {
            String[] p = c.split(":");
            s.append("<testcase classname=\"t\" name=\"").append(p[0]).append("\">")
                    .append(p[1].equals("F") ? "<failure message=\"x\"/>" : "").append("</testcase>");
        }
        return s.append("</testsuite>").toString();
    }

    static FailToPass.Verdict grade(Scripted s) throws Exception {
        Path dir = Files.createTempDirectory("ftp");
        return new FailToPass(s, FailToPass.Options.defaults()).grade(dir, dir, TestCommand.of("python3 -m pytest", null, null));
    }

    @Test
    void aTestThatFailsBeforeAndPassesAfterIsFixed() throws Exception {
        Scripted s = new Scripted(report("a:F", "b:P"), report("a:F", "b:P"), report("a:F", "b:P"), report("a:P", "b:P"));
        FailToPass.Verdict v = grade(s);
        assertThat(v.resolved()).isTrue();
        assertThat(v.targets()).containsExactly("t::a");
        assertThat(s.runs).isEqualTo(4); // the failing state three times, the clean one once
    }

    @Test
    void aTestThatChangesOutcomeBetweenRunsIsFlakyNotFixed() throws Exception {
        Scripted s = new Scripted(report("a:F", "b:P"), report("a:P", "b:P"), report("a:F", "b:P"), report("a:P", "b:P"));
        FailToPass.Verdict v = grade(s);
        assertThat(v.resolved()).isFalse();
        assertThat(v.flaky()).containsExactly("t::a");
        assertThat(v.error()).contains("bug does not reproduce");
    }

    @Test
    void aPassingTestThatFailsAfterIsARegression() throws Exception {
        Scripted s = new Scripted(report("a:F", "b:P"), report("a:F", "b:P"), report("a:F", "b:P"),
                report("a:P", "b:F"), report("a:P", "b:F"), report("a:P", "b:F"));
        FailToPass.Verdict v = grade(s);
        assertThat(v.resolved()).isFalse();
        assertThat(v.regressions()).containsExactly("t::b");
        assertThat(v.tests().get("t::b")).containsExactly("passed", "failed");
    }

    @Test
    void aCrashIsAnInfrastructureErrorNeverAPass() throws Exception {
        FailToPass.Verdict v = grade(new Scripted(report("a:F"), report("a:F"), report("a:F"), "CRASH"));
        assertThat(v.resolved()).isFalse();
        assertThat(v.error()).contains("after state could not be judged").contains("killed");
    }

    @Test
    void explicitTargetsMustReproduce() throws Exception {
        Path dir = Files.createTempDirectory("ftp");
        Scripted s = new Scripted(report("a:P", "b:F"), report("a:P", "b:F"), report("a:P", "b:F"), report("a:P", "b:P"));
        FailToPass.Verdict v = new FailToPass(s, new FailToPass.Options(3, Limits.defaults(), Set.of("t::a")))
                .grade(dir, dir, TestCommand.of("pytest", null, null));
        assertThat(v.resolved()).isFalse();
        assertThat(v.error()).contains("do not fail at the before state").contains("t::a");
    }
}
