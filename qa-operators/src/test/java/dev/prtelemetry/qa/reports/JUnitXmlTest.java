package dev.prtelemetry.qa.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prtelemetry.qa.reports.JUnitXml.Outcome;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JUnitXmlTest {
    /** What pytest 9 writes with --junitxml (trimmed). */
    static final String PYTEST = """
            <?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.031">
            <testcase classname="tests.test_dates" name="test_leap_day" time="0.001"><failure message="assert False is True">def test_leap_day():
            &gt;       assert is_leap(2024) is True</failure></testcase>
            <testcase classname="tests.test_dates" name="test_plain_year" time="0.000" />
            <testcase classname="tests.test_dates" name="test_skipped" time="0.000"><skipped type="pytest.skip" message="not today">skip</skipped></testcase>
            <testcase classname="" name="tests.test_broken" time="0.000"><error message="collection failure">ImportError</error></testcase>
            </testsuite></testsuites>""";

    @Test
    void readsPytestReports() throws Exception {
        JUnitXml.Report r = JUnitXml.parse(PYTEST.getBytes(StandardCharsets.UTF_8));
        assertThat(r.cases()).hasSize(4);
        assertThat(r.cases().get(0).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.cases().get(0).message()).isEqualTo("assert False is True");
        assertThat(r.cases().get(0).id()).isEqualTo("tests.test_dates::test_leap_day");
        assertThat(r.cases().get(1).outcome()).isEqualTo(Outcome.PASSED);
        assertThat(r.cases().get(2).outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(r.cases().get(3).outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.cases().get(3).id()).isEqualTo("tests.test_broken");
        assertThat(r.count(Outcome.PASSED)).isEqualTo(1);
    }

    @Test
    void readsASingleSurefireSuite() throws Exception {
        String xml = "<testsuite name=\"a.BTest\" tests=\"2\"><properties><property name=\"x\" value=\"y\"/></properties>"
                + "<testcase name=\"ok\" classname=\"a.BTest\" time=\"1,234.5\"/>"
                + "<testcase name=\"bad\" classname=\"a.BTest\"><error type=\"java.lang.NPE\"/></testcase></testsuite>";
        JUnitXml.Report r = JUnitXml.parse(xml.getBytes(StandardCharsets.UTF_8));
        assertThat(r.cases()).extracting(JUnitXml.Case::outcome).containsExactly(Outcome.PASSED, Outcome.ERROR);
        assertThat(r.cases().get(0).durationS()).isEqualTo(1234.5);
    }

    @Test
    void refusesOtherDocumentsAndEntities() {
        assertThatThrownBy(() -> JUnitXml.parse("<html/>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JUnitXml.NotAReport.class).hasMessageContaining("<html>");
        assertThatThrownBy(() -> JUnitXml.parse("not xml".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JUnitXml.NotAReport.class);
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<testsuite><testcase name=\"&x;\"/></testsuite>";
        assertThatThrownBy(() -> JUnitXml.parse(xxe.getBytes(StandardCharsets.UTF_8))).isInstanceOf(JUnitXml.NotAReport.class);
    }
}
