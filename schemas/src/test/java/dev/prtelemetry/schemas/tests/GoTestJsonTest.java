package dev.prtelemetry.schemas.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Real {@code go test -json} output (go 1.19, captured from a module with a failing subtest and one that does not build). */
class GoTestJsonTest {
    static String resource(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/go", name));
    }

    @Test
    void testsAndSubtestsAreCasesOfTheirPackage() throws Exception {
        JUnitXml.Report r = GoTestJson.parse(resource("failing-subtests.json"));
        Map<String, JUnitXml.Outcome> byId = r.cases().stream().collect(Collectors.toMap(JUnitXml.Case::id, JUnitXml.Case::outcome));
        assertThat(byId).containsEntry("example.com/money::TestRound", JUnitXml.Outcome.FAILED)
                .containsEntry("example.com/money::TestRound/half_up", JUnitXml.Outcome.FAILED)
                .containsEntry("example.com/money::TestRound/down", JUnitXml.Outcome.PASSED)
                .containsEntry("example.com/money::TestRound/exact", JUnitXml.Outcome.PASSED)
                .containsEntry("example.com/money::TestZero", JUnitXml.Outcome.PASSED).hasSize(5);
        JUnitXml.Case halfUp = r.cases().stream().filter(c -> c.name().equals("TestRound/half_up")).findFirst().orElseThrow();
        assertThat(halfUp.message()).contains("Round(503, 5) = 500, want 505");
    }

    @Test
    void aPackageThatDoesNotBuildIsAnErroredCaseNotAPass() throws Exception {
        JUnitXml.Report r = GoTestJson.parse(resource("build-failed.txt"));
        assertThat(r.cases()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("example.com/money::" + GoTestJson.PACKAGE_CASE);
            assertThat(c.outcome()).isEqualTo(JUnitXml.Outcome.ERROR);
        });
    }

    @Test
    void somethingElseIsNotAReport() {
        assertThatThrownBy(() -> GoTestJson.parse("ok  \texample.com/money\t0.002s\n")).isInstanceOf(JUnitXml.NotAReport.class)
                .hasMessageContaining("go test -json");
    }
}
