package dev.prtelemetry.schemas.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prtelemetry.schemas.tests.JUnitXml.Outcome;
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

    static JUnitXml.Report parse(String xml) throws Exception {
        return JUnitXml.parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsMavenSurefireWithPropertiesOutputAndRerunElements() throws Exception {
        JUnitXml.Report r = parse("""
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.0.2" name="dev.x.CartTest" time="0.05" tests="3" errors="0" skipped="1" failures="1">
                  <properties><property name="java.version" value="17"/></properties>
                  <testcase name="totals" classname="dev.x.CartTest" time="0.01"><system-out><![CDATA[log]]></system-out></testcase>
                  <testcase name="discount" classname="dev.x.CartTest" time="0.02">
                    <failure message="expected: 4.42 but was: 4.4" type="org.opentest4j.AssertionFailedError"><![CDATA[stack]]></failure>
                    <system-err>err</system-err>
                  </testcase>
                  <testcase name="later" classname="dev.x.CartTest" time="0"><skipped message="disabled"/></testcase>
                  <testcase name="flaky" classname="dev.x.CartTest" time="0.1"><flakyFailure message="once" type="x"/></testcase>
                </testsuite>""");
        assertThat(r.cases()).extracting(JUnitXml.Case::outcome)
                .containsExactly(Outcome.PASSED, Outcome.FAILED, Outcome.SKIPPED, Outcome.PASSED);
        assertThat(r.cases().get(1).message()).isEqualTo("expected: 4.42 but was: 4.4");
    }

    @Test
    void readsGradleGoJestAndMochaShapes() throws Exception {
        // Gradle: one file per class, timestamp and hostname attributes
        assertThat(parse("<testsuite name=\"CartTest\" tests=\"1\" skipped=\"0\" failures=\"0\" errors=\"0\" "
                + "timestamp=\"2026-11-26T12:00:00\" hostname=\"h\" time=\"0.1\"><properties/>"
                + "<testcase name=\"adds()\" classname=\"CartTest\" time=\"0.1\"/><system-out/><system-err/></testsuite>")
                .cases()).extracting(JUnitXml.Case::id).containsExactly("CartTest::adds()");
        // go-junit-report: package suites, failures with text only
        JUnitXml.Report go = parse("<testsuites tests=\"2\"><testsuite name=\"example.org/dates\" tests=\"2\" failures=\"1\">"
                + "<properties><property name=\"go.version\" value=\"go1.22\"></property></properties>"
                + "<testcase name=\"TestLeap\" classname=\"example.org/dates\" time=\"0.000\"><failure message=\"Failed\" type=\"\">"
                + "dates_test.go:11: want true</failure></testcase>"
                + "<testcase name=\"TestPlain\" classname=\"example.org/dates\" time=\"0.000\"></testcase></testsuite></testsuites>");
        assertThat(go.count(Outcome.FAILED)).isEqualTo(1);
        assertThat(go.cases().get(0).id()).isEqualTo("example.org/dates::TestLeap");
        // jest-junit: suites named after files, classname is "describe title"
        JUnitXml.Report jest = parse("<testsuites name=\"jest tests\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"1.2\">"
                + "<testsuite name=\"cart.test.js\" errors=\"0\" failures=\"1\" skipped=\"0\" timestamp=\"x\" time=\"1\" tests=\"2\">"
                + "<testcase classname=\"cart totals\" name=\"cart totals rounds half up\" time=\"0.003\">"
                + "<failure>Error: expect(received).toBe(expected)</failure></testcase>"
                + "<testcase classname=\"cart totals\" name=\"cart totals adds\" time=\"0.001\"></testcase></testsuite></testsuites>");
        assertThat(jest.cases().get(0).message()).isEqualTo("Error: expect(received).toBe(expected)");
        // mocha (mocha-junit-reporter): a root suite with nested suites
        JUnitXml.Report mocha = parse("<testsuites name=\"Mocha Tests\" time=\"0.01\" tests=\"2\" failures=\"0\">"
                + "<testsuite name=\"Root Suite\" tests=\"0\"></testsuite>"
                + "<testsuite name=\"auth\" tests=\"2\" failures=\"0\"><testsuite name=\"tokens\">"
                + "<testcase name=\"refuses forged\" classname=\"tokens refuses forged\" time=\"0\"/>"
                + "<testcase name=\"names user\" classname=\"tokens names user\" time=\"0\"/></testsuite></testsuite></testsuites>");
        assertThat(mocha.cases()).hasSize(2);
    }

    @Test
    void countsCasesNotTheSuitesTotalsAndEachCaseOnce() throws Exception {
        JUnitXml.Report r = parse("<testsuite tests=\"99\" failures=\"0\">"
                + "<testcase name=\"a\" classname=\"t\"><skipped/><failure message=\"f\"/></testcase>"
                + "<testcase name=\"b\" classname=\"t\"/><testcase name=\"b\" classname=\"t\"><error message=\"e\"/></testcase>"
                + "<testcase name=\"c\"/><testcase/></testsuite>");
        assertThat(r.cases()).hasSize(4);
        assertThat(r.cases().get(0).outcome()).isEqualTo(Outcome.FAILED); // failure over skipped
        assertThat(r.cases().get(1).outcome()).isEqualTo(Outcome.ERROR);  // b listed twice: error over passed
        assertThat(r.cases().get(2).id()).isEqualTo("c");                 // no classname, no file, no time
        assertThat(r.cases().get(3).name()).startsWith("(unnamed");
    }

    @Test
    void malformedFilesAreAClearErrorNotACrash() {
        for (String bad : new String[] {"", "<testsuite><testcase name=\"x\">", "<?xml version=\"1.0\"?><testsuites><testsuite>",
                "\u0000\u0001binary", "{\"json\": true}"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(JUnitXml.NotAReport.class)
                    .hasMessageNotContaining("NullPointer");
        }
    }
}
