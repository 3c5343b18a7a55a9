package dev.prtelemetry.schemas.tests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code go test -json} output (test2json events, one JSON object per line) read as a JUnit
 * report, the way go-junit-report does: one case per test and subtest, classname the package's
 * import path, name the test's name ({@code TestRound/half_up}), the outcome from the test's
 * final action. A package that failed without any failing test (it did not build, or its
 * {@code TestMain} failed) is one errored case named {@code [package]}, carrying its output, so a
 * broken build is never read as "no tests failed". Lines that are not JSON (the go tool's own
 * messages) are kept as package output.
 */
public final class GoTestJson {
    /** The case name standing for a package that failed as a whole. */
    public static final String PACKAGE_CASE = "[package]";

    private static final java.util.regex.Pattern NOT_BUILT = java.util.regex.Pattern.compile("FAIL\\s+(\\S+)\\s+\\[(build|setup) failed\\]\\s*");

    private GoTestJson() {
    }

    public static JUnitXml.Report parse(String lines) throws JUnitXml.NotAReport {
        Map<String, JUnitXml.Outcome> outcome = new LinkedHashMap<>();
        Map<String, Double> elapsed = new LinkedHashMap<>();
        Map<String, StringBuilder> output = new LinkedHashMap<>();
        Map<String, String> packageAction = new LinkedHashMap<>();
        int events = 0;
        for (String line : lines.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode e;
            try {
                e = StrictJson.mapper().readTree(line);
            } catch (java.io.IOException | RuntimeException ex) {
                output.computeIfAbsent("", k -> new StringBuilder()).append(line).append('\n');
                java.util.regex.Matcher m = NOT_BUILT.matcher(line);
                if (m.matches()) { // go before 1.24 says so outside the JSON stream
                    packageAction.put(m.group(1), "fail");
                    events++;
                }
                continue;
            }
            if (e == null || !e.isObject() || !e.has("Action")) {
                continue;
            }
            events++;
            String pkg = e.path("Package").asText("");
            String test = e.path("Test").asText(null);
            String action = e.path("Action").asText();
            String key = test == null ? pkg : pkg + "\u0000" + test;
            switch (action) {
                case "output" -> output.computeIfAbsent(key, k -> new StringBuilder()).append(e.path("Output").asText(""));
                case "pass", "fail", "skip" -> {
                    if (test == null) {
                        packageAction.put(pkg, action);
                    } else {
                        outcome.put(key, action.equals("pass") ? JUnitXml.Outcome.PASSED
                                : action.equals("skip") ? JUnitXml.Outcome.SKIPPED : JUnitXml.Outcome.FAILED);
                        if (e.has("Elapsed")) {
                            elapsed.put(key, e.get("Elapsed").asDouble());
                        }
                    }
                }
                case "run" -> outcome.putIfAbsent(key, null);
                default -> {
                    // pause, cont, bench, start: nothing to record
                }
            }
        }
        if (events == 0) {
            throw new JUnitXml.NotAReport("no go test -json events (was the run `go test -json`?)", null);
        }
        List<JUnitXml.Case> cases = new ArrayList<>();
        outcome.forEach((key, o) -> {
            String[] pt = key.split("\u0000", 2);
            // a test that started but never ended: the binary crashed or timed out under it
            JUnitXml.Outcome out = o == null ? JUnitXml.Outcome.ERROR : o;
            String message = out == JUnitXml.Outcome.PASSED || out == JUnitXml.Outcome.SKIPPED ? null
                    : lastLines(output.get(key), o == null ? "the test started but never finished" : null);
            cases.add(new JUnitXml.Case(pt[1], pt[0], null, out, elapsed.get(key), message));
        });
        packageAction.forEach((pkg, action) -> {
            boolean testFailed = cases.stream().anyMatch(c -> pkg.equals(c.classname())
                    && (c.outcome() == JUnitXml.Outcome.FAILED || c.outcome() == JUnitXml.Outcome.ERROR));
            if (action.equals("fail") && !testFailed) {
                StringBuilder said = output.getOrDefault(pkg, new StringBuilder()).append(output.getOrDefault("", new StringBuilder()));
                cases.add(new JUnitXml.Case(PACKAGE_CASE, pkg, null, JUnitXml.Outcome.ERROR, null,
                        lastLines(said, "the package failed without a failing test (a build error?)")));
            }
        });
        return new JUnitXml.Report(List.copyOf(cases));
    }

    private static String lastLines(StringBuilder text, String fallback) {
        if (text == null || text.toString().isBlank()) {
            return fallback;
        }
        List<String> lines = text.toString().strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
