package dev.prtelemetry.schemas.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The aliases people write for a test, mapped onto the ids JUnit XML reports give. */
class TestIdsTest {
    @Test
    void pytestNodeIdsAreMangledAsPytestsJunitWriterDoes() {
        assertThat(TestIds.pytest("tests/test_more.py::SlicedTests::test_negative")).isEqualTo("tests.test_more.SlicedTests::test_negative");
        assertThat(TestIds.pytest("test_parse.py::test_x")).isEqualTo("test_parse::test_x");
        assertThat(TestIds.pytest("tests/a/test_b.py::Outer::Inner::test_c[1.5-x/y::z]"))
                .isEqualTo("tests.a.test_b.Outer.Inner::test_c[1.5-x/y::z]");
    }

    @Test
    void everyFormResolvesToTheReportedId() {
        List<String> ids = List.of("tests.test_more.SlicedTests::test_negative", "demo.CalcTest::addsTwoNumbers",
                "tests.test_f::test_sig[None-args-kwargs-None-*args, **kwargs]", "tests.test_f::test_sig[a, b]");
        var r = TestIds.resolve(List.of("tests/test_more.py::SlicedTests::test_negative", "demo.CalcTest#addsTwoNumbers",
                "demo.CalcTest.addsTwoNumbers", "demo.CalcTest::addsTwoNumbers", "tests/test_f.py::test_sig[None-args-kwargs-None-*args,"), ids);
        assertThat(r.complete()).as(r.describe()).isTrue();
        assertThat(r.resolved().get("tests/test_more.py::SlicedTests::test_negative")).containsExactly("tests.test_more.SlicedTests::test_negative");
        assertThat(r.resolved().get("demo.CalcTest#addsTwoNumbers")).containsExactly("demo.CalcTest::addsTwoNumbers");
        assertThat(r.resolved().get("demo.CalcTest.addsTwoNumbers")).containsExactly("demo.CalcTest::addsTwoNumbers");
        // SWE-bench's log parsing cuts parametrised ids at the first space
        assertThat(r.resolved().get("tests/test_f.py::test_sig[None-args-kwargs-None-*args,"))
                .containsExactly("tests.test_f::test_sig[None-args-kwargs-None-*args, **kwargs]");
    }

    @Test
    void jestGoAndParameterisedJunitFormsResolve() {
        List<String> ids = List.of("test/versions.test.js::compare › orders multi-digit parts by number",
                "test/other.test.js::compare › orders single-digit parts", "example.com/calc/money::TestRound/half_up",
                "example.com/calc/money::TestRound/half_even", "org.example.paging.PaginatorTest::aPartialLastPageCounts(int, int, int)[1]",
                "org.example.paging.PaginatorTest::aPartialLastPageCounts(int, int, int)[2]", "org.example.paging.PaginatorTest::fullPagesOnly");
        String jestFull = "test/versions.test.js › compare › orders multi-digit parts by number";
        String jestTitle = "compare › orders single-digit parts";
        var r = TestIds.resolve(List.of(jestFull, jestTitle, "example.com/calc/money/TestRound/half_up", "TestRound/half_even",
                "org.example.paging.PaginatorTest#aPartialLastPageCounts", "org.example.paging.PaginatorTest.fullPagesOnly"), ids);
        assertThat(r.complete()).as(r.describe()).isTrue();
        assertThat(r.resolved().get(jestFull)).containsExactly("test/versions.test.js::compare › orders multi-digit parts by number");
        assertThat(r.resolved().get(jestTitle)).containsExactly("test/other.test.js::compare › orders single-digit parts");
        assertThat(r.resolved().get("example.com/calc/money/TestRound/half_up")).containsExactly("example.com/calc/money::TestRound/half_up");
        assertThat(r.resolved().get("TestRound/half_even")).containsExactly("example.com/calc/money::TestRound/half_even");
        assertThat(r.resolved().get("org.example.paging.PaginatorTest#aPartialLastPageCounts")).containsExactly(
                "org.example.paging.PaginatorTest::aPartialLastPageCounts(int, int, int)[1]",
                "org.example.paging.PaginatorTest::aPartialLastPageCounts(int, int, int)[2]");
        assertThat(r.resolved().get("org.example.paging.PaginatorTest.fullPagesOnly")).containsExactly("org.example.paging.PaginatorTest::fullPagesOnly");
        assertThat(TestIds.resolve(List.of("compare › no such test"), ids).complete()).isFalse();
        // mocha (xunit reporter): describe titles joined by spaces in the classname
        var mocha = TestIds.resolve(List.of("slug › edges › trims dashes"), List.of("slug edges::trims dashes", "slug::lowercases words"));
        assertThat(mocha.resolved().get("slug › edges › trims dashes")).containsExactly("slug edges::trims dashes");
    }

    @Test
    void aTargetThatMatchesNothingIsAnErrorNamingTheClosestIds() {
        var r = TestIds.resolve(List.of("tests/test_more.py::SlicedTests::test_negatve"),
                List.of("tests.test_more.SlicedTests::test_negative", "tests.test_more.SlicedTests::test_positive", "other::x"));
        assertThat(r.complete()).isFalse();
        assertThat(r.describe()).contains("'tests/test_more.py::SlicedTests::test_negatve' matches no test")
                .contains("closest: tests.test_more.SlicedTests::test_negative, tests.test_more.SlicedTests::test_positive");
    }
}
