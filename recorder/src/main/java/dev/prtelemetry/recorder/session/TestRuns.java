package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.tests.JUnitXml;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which commands are test runs, how each is made to leave a JUnit XML report, and the
 * {@code test_run} payload from that report (parsed by the QA operators' parser).
 */
public final class TestRuns {
    /** A plan for one command: its framework, the argv to run, and where reports will be. */
    public record Plan(String framework, List<String> argv, Path report, List<Path> reportDirs) {
        public boolean isTest() {
            return framework != null;
        }
    }

    private TestRuns() {
    }

    /** How to run {@code argv}: pytest gets {@code --junitxml}; Maven and Gradle leave their own reports. */
    public static Plan plan(List<String> argv, boolean forceTest, Path junitXml, Path repoRoot, Path tmp) {
        String exe = argv.isEmpty() ? "" : Path.of(argv.get(0)).getFileName().toString();
        boolean pytest = dev.prtelemetry.schemas.tests.TestFrameworks.isPytest(argv);
        if (junitXml != null) {
            return new Plan(pytest ? "pytest" : frameworkOf(exe, argv, forceTest), argv, junitXml, List.of());
        }
        if (pytest) {
            boolean has = argv.stream().anyMatch(a -> a.startsWith("--junitxml") || a.startsWith("--junit-xml"));
            if (has) {
                String given = argv.stream().filter(a -> a.startsWith("--junitxml=") || a.startsWith("--junit-xml="))
                        .findFirst().map(a -> a.substring(a.indexOf('=') + 1)).orElse(null);
                return new Plan("pytest", argv, given == null ? null : repoRoot.resolve(given), List.of());
            }
            Path report = tmp.resolve("report-" + System.nanoTime() + ".xml");
            List<String> withReport = new ArrayList<>(argv);
            withReport.add("--junitxml=" + report);
            return new Plan("pytest", withReport, report, List.of());
        }
        if ((exe.equals("mvn") || exe.equals("mvnw")) && argv.stream().anyMatch(a -> a.equals("test") || a.equals("verify")
                || a.equals("install") || a.equals("package"))) {
            return new Plan("junit", argv, null, List.of(Path.of("target", "surefire-reports"), Path.of("target", "failsafe-reports")));
        }
        if ((exe.equals("gradle") || exe.equals("gradlew")) && argv.stream().anyMatch(a -> a.contains("test") || a.equals("check"))) {
            return new Plan("junit", argv, null, List.of(Path.of("build", "test-results")));
        }
        String framework = frameworkOf(exe, argv, forceTest);
        return new Plan(framework, argv, null, List.of());
    }

    private static String frameworkOf(String exe, List<String> argv, boolean forceTest) {
        if (exe.equals("go") && argv.size() > 1 && argv.get(1).equals("test")) {
            return "go";
        }
        if (exe.equals("jest") || argv.contains("jest")) {
            return "jest";
        }
        return forceTest ? "custom" : null;
    }

    /** The reports a finished run left: the arranged file, or report files written since {@code startedMs}. */
    public static List<Path> reports(Plan plan, Path repoRoot, long startedMs) throws IOException {
        List<Path> out = new ArrayList<>();
        if (plan.report() != null) {
            if (Files.isRegularFile(plan.report())) {
                out.add(plan.report());
            }
            return out;
        }
        for (Path dir : plan.reportDirs()) {
            try (Stream<Path> s = Files.walk(repoRoot, 12)) {
                s.filter(p -> p.toString().endsWith(".xml") && p.getParent() != null && p.getParent().endsWith(dir)
                                || p.toString().endsWith(".xml") && p.toString().contains("/" + dir + "/"))
                        .filter(p -> !p.startsWith(repoRoot.resolve(".prt")))
                        .filter(p -> {
                            try {
                                return Files.getLastModifiedTime(p).toMillis() >= startedMs - 1000;
                            } catch (IOException e) {
                                return false;
                            }
                        })
                        .sorted().forEach(out::add);
            }
        }
        return out;
    }

    /** The {@code test_run} payload from the run and its parsed reports. */
    public static ObjectNode payload(Plan plan, String command, Integer exitCode, double durationS, JUnitXml.Report report,
                                     String reportRef) {
        ObjectNode p = StrictJson.mapper().createObjectNode();
        p.put("framework", plan.framework());
        p.put("command", command);
        if (exitCode == null) {
            p.putNull("exit_code");
        } else {
            p.put("exit_code", exitCode);
        }
        p.put("duration_s", Math.round(durationS * 1000) / 1000.0);
        ObjectNode summary = p.putObject("summary");
        summary.put("total", report.cases().size());
        summary.put("passed", report.count(JUnitXml.Outcome.PASSED));
        summary.put("failed", report.count(JUnitXml.Outcome.FAILED));
        summary.put("errors", report.count(JUnitXml.Outcome.ERROR));
        summary.put("skipped", report.count(JUnitXml.Outcome.SKIPPED));
        ArrayNode cases = p.putArray("cases");
        for (JUnitXml.Case c : report.cases().subList(0, Math.min(report.cases().size(), 10_000))) {
            ObjectNode n = cases.addObject();
            n.put("name", trim(c.name().isEmpty() ? "(unnamed)" : c.name(), 1024));
            if (c.classname() != null) {
                n.put("classname", trim(c.classname(), 1024));
            }
            if (c.file() != null) {
                n.put("file", trim(c.file(), 4096));
            }
            n.put("outcome", c.outcome().wireName());
            if (c.durationS() != null) {
                n.put("duration_s", c.durationS());
            }
            if (c.message() != null) {
                n.put("message", trim(c.message(), 4096));
            }
        }
        if (reportRef != null) {
            p.put("report_ref", reportRef);
        }
        return p;
    }

    /**
     * Shrinks a {@code test_run} payload whose per-case list would make the event too large (a
     * suite of thousands of failing cases with long messages): first the messages of passing and
     * skipped cases go, then the passing cases themselves, then messages are cut to 512
     * characters, then cases from the end. The summary counts and the report artifact stay whole.
     */
    static void fitInto(ObjectNode payload, int maxBytes) {
        if (!(payload.get("cases") instanceof ArrayNode cases) || size(payload) <= maxBytes) {
            return;
        }
        for (JsonNode c : cases) {
            if (!c.path("outcome").asText().equals("failed") && !c.path("outcome").asText().equals("error")) {
                ((ObjectNode) c).remove("message");
            }
        }
        if (size(payload) > maxBytes) {
            for (int i = cases.size() - 1; i >= 0; i--) {
                if (cases.get(i).path("outcome").asText().equals("passed")) {
                    cases.remove(i);
                }
            }
        }
        if (size(payload) > maxBytes) {
            for (JsonNode c : cases) {
                if (c.has("message")) {
                    ((ObjectNode) c).put("message", trim(c.get("message").asText(), 512));
                }
            }
        }
        while (size(payload) > maxBytes && !cases.isEmpty()) {
            int cut = Math.max(1, cases.size() / 10);
            for (int i = 0; i < cut; i++) {
                cases.remove(cases.size() - 1);
            }
        }
    }

    private static int size(ObjectNode payload) {
        return StrictJson.toString(payload).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    static String trim(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
