package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.tests.JUnitXml;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "junit",
        description = {"Reads JUnit XML reports (pytest, Maven Surefire, Gradle, go-junit-report, jest-junit, mocha) and prints "
                + "each file's counts: its <testcase> elements (as other report tools count them), then the tests as graded: "
                + "passed, failed, errored, skipped. A test reported several times (reruns, a suite listed twice) is one test, "
                + "graded by its worst result (error over failure over skipped over passed); those are listed. "
                + "Exit 1 if any file could not be parsed."},
        footer = {"", "Examples:", "  prt junit target/surefire-reports/*.xml", "  prt junit --json report.xml"})
final class JunitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "one JSON object per file (testcases, tests, passed, failed, errored, skipped, "
            + "repeated [{id, results, graded}], repeat_rule; error when unreadable)")
    boolean json;
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int exit = ExitCodes.OK;
        for (Path f : files) {
            ObjectNode n = StrictJson.mapper().createObjectNode();
            n.put("file", f.toString());
            try {
                JUnitXml.Report r = JUnitXml.parse(f);
                n.put("testcases", r.testcaseElements());
                n.put("tests", r.cases().size());
                n.put("passed", r.count(JUnitXml.Outcome.PASSED));
                n.put("failed", r.count(JUnitXml.Outcome.FAILED));
                n.put("errored", r.count(JUnitXml.Outcome.ERROR));
                n.put("skipped", r.count(JUnitXml.Outcome.SKIPPED));
                var rep = n.putArray("repeated");
                java.util.Map<String, JUnitXml.Outcome> graded = new java.util.HashMap<>();
                r.cases().forEach(c -> graded.put(c.id(), c.outcome()));
                r.repeated().forEach((id, results) -> {
                    var o = rep.addObject().put("id", id);
                    results.forEach(x -> o.withArray("results").add(x.wireName()));
                    o.put("graded", graded.get(id).wireName());
                });
                n.put("repeat_rule", JUnitXml.Report.REPEAT_RULE);
            } catch (JUnitXml.NotAReport e) {
                n.put("error", e.getMessage());
                exit = ExitCodes.INVALID;
            }
            if (json) {
                out.println(n);
            } else if (n.has("error")) {
                out.println(f + ": ERROR " + n.get("error").asText());
            } else {
                out.printf("%s: %d testcases; %d tests: %d passed, %d failed, %d errored, %d skipped%n", f, n.get("testcases").asInt(),
                        n.get("tests").asInt(), n.get("passed").asInt(), n.get("failed").asInt(), n.get("errored").asInt(),
                        n.get("skipped").asInt());
                for (var rep : n.get("repeated")) {
                    out.printf("  %s reported %d times (%s): graded %s — %s%n", rep.get("id").asText(), rep.get("results").size(),
                            String.join(", ", StrictJson.mapper().convertValue(rep.get("results"), String[].class)),
                            rep.get("graded").asText(), JUnitXml.Report.REPEAT_RULE);
                }
            }
        }
        return exit;
    }
}
