package dev.prtelemetry.flink.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Running per-trace metrics, updated event by event: duration, edits and files touched,
 * commands and their exit codes, test runs with fail→pass transitions per test case,
 * notes by kind, commits. A POJO so it lives in keyed state.
 */
public class TraceMetrics {
    public long events;
    public double firstTs = -1;
    public double lastTs = -1;
    public long fileEdits;
    public long linesAdded;
    public long linesRemoved;
    public Map<String, Boolean> filesTouched = new HashMap<>();
    public long commands;
    public Map<String, Long> exitCodes = new HashMap<>();
    public long testRuns;
    public long failingTestRuns;
    public Map<String, String> lastOutcomeByTest = new HashMap<>();
    public long failToPass;
    public long passToFail;
    public Map<String, Long> notesByKind = new HashMap<>();
    public long commits;

    public TraceMetrics() {
    }

    public void add(JsonNode event) {
        events++;
        double ts = event.path("ts_client_s").asDouble(-1);
        if (ts >= 0) {
            firstTs = firstTs < 0 ? ts : Math.min(firstTs, ts);
            lastTs = Math.max(lastTs, ts);
        }
        JsonNode p = event.path("payload");
        switch (event.path("type").asText()) {
            case "file_edit" -> {
                fileEdits++;
                linesAdded += p.path("lines_added").asLong(0);
                linesRemoved += p.path("lines_removed").asLong(0);
                filesTouched.put(p.path("path").asText(), Boolean.TRUE);
            }
            case "cmd_run" -> {
                commands++;
                JsonNode code = p.path("exit_code");
                exitCodes.merge(code.isIntegralNumber() ? code.asText() : "killed", 1L, Long::sum);
            }
            case "test_run" -> {
                testRuns++;
                if (p.path("exit_code").asInt(0) != 0 || p.path("summary").path("failed").asLong(0) > 0
                        || p.path("summary").path("errors").asLong(0) > 0) {
                    failingTestRuns++;
                }
                for (JsonNode c : p.path("cases")) {
                    String name = c.path("classname").asText("") + "::" + c.path("name").asText();
                    String outcome = c.path("outcome").asText();
                    String before = lastOutcomeByTest.put(name, outcome);
                    boolean wasBad = "failed".equals(before) || "error".equals(before);
                    if (wasBad && "passed".equals(outcome)) {
                        failToPass++;
                    } else if ("passed".equals(before) && ("failed".equals(outcome) || "error".equals(outcome))) {
                        passToFail++;
                    }
                }
            }
            case "rationale_note" -> {
                if (p.path("kind").isTextual()) { // a note translated from v0 free-form text has none
                    notesByKind.merge(p.path("kind").asText(), 1L, Long::sum);
                }
            }
            case "commit" -> commits++;
            default -> { }
        }
    }

    public ObjectNode toJson() {
        ObjectNode m = StrictJson.mapper().createObjectNode();
        m.put("events", events);
        m.put("duration_s", firstTs < 0 ? 0 : lastTs - firstTs);
        m.put("file_edits", fileEdits);
        m.put("files_touched", filesTouched.size());
        m.put("lines_added", linesAdded);
        m.put("lines_removed", linesRemoved);
        m.put("commands", commands);
        ObjectNode codes = m.putObject("exit_codes");
        new TreeMap<>(exitCodes).forEach(codes::put);
        m.put("test_runs", testRuns);
        m.put("failing_test_runs", failingTestRuns);
        m.put("tests_fail_to_pass", failToPass);
        m.put("tests_pass_to_fail", passToFail);
        ObjectNode notes = m.putObject("notes_by_kind");
        new TreeMap<>(notesByKind).forEach(notes::put);
        m.put("commits", commits);
        return m;
    }
}
