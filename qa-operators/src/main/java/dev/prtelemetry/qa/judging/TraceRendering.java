package dev.prtelemetry.qa.judging;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact, deterministic text of a trace for judging: a header (task, outcome), then one
 * line per event with its id — notes in full, test runs as counts and failing cases, commands
 * with exit code and a short output tail, edits as the path, counts and the first changed
 * lines, commits as their message. Long parts are cut by rule (never by a model), and the
 * whole stays under a budget (about 4 characters per token): when it does not fit, diffs and
 * outputs shrink first, then the middle of the timeline is elided with a marker. The same
 * trace always renders to the same text.
 */
public final class TraceRendering {
    public static final String VERSION = "render-v1";

    private TraceRendering() {
    }

    public static String render(JsonNode doc, int maxTokens) {
        int budget = maxTokens * 4;
        for (int[] cut : new int[][] {{12, 8}, {6, 4}, {3, 2}, {0, 0}}) {
            String text = render(doc, cut[0], cut[1]);
            if (text.length() <= budget) {
                return text;
            }
        }
        List<String> lines = new ArrayList<>(List.of(render(doc, 0, 0).split("\n")));
        int keepHead = 0;
        while (keepHead < lines.size() && !lines.get(keepHead).startsWith("[")) {
            keepHead++;
        }
        while (String.join("\n", lines).length() > budget && lines.size() > keepHead + 4) {
            int mid = keepHead + (lines.size() - keepHead) / 2;
            lines.remove(mid);
            lines.set(Math.min(mid, lines.size() - 1), "[…] (events elided to fit the judge's budget)");
        }
        return String.join("\n", lines);
    }

    static String render(JsonNode doc, int diffLines, int outputLines) {
        StringBuilder b = new StringBuilder();
        b.append("Task: ").append(doc.at("/task/title").asText("?")).append('\n');
        if (doc.at("/task/description").isTextual()) {
            b.append("Description: ").append(oneLine(doc.at("/task/description").asText(), 400)).append('\n');
        }
        b.append("Reported outcome: ").append(doc.at("/session/outcome").asText("unknown")).append('\n');
        b.append("Test command: ").append(doc.at("/environment/test_command").asText("(none recorded)")).append('\n');
        b.append("Timeline (").append(doc.path("events").size()).append(" events):\n");
        for (JsonNode e : doc.path("events")) {
            JsonNode p = e.path("payload");
            b.append('[').append(e.path("id").asText()).append("] ");
            switch (e.path("type").asText()) {
                case "rationale_note" -> {
                    b.append("recorder".equals(p.path("source").asText()) ? "recorder's note, not the developer's/" : "note/").append(p.path("kind").asText()).append(": ").append(oneLine(p.path("text").asText(), 1000));
                    if (p.path("refs").size() > 0) {
                        List<String> refs = new ArrayList<>();
                        p.path("refs").forEach(r -> refs.add(r.asText()));
                        b.append(" (cites ").append(String.join(", ", refs)).append(')');
                    }
                }
                case "test_run" -> {
                    JsonNode s = p.path("summary");
                    b.append("test_run ").append(p.path("framework").asText()).append(": ").append(s.path("passed").asInt())
                            .append(" passed, ").append(s.path("failed").asInt()).append(" failed, ")
                            .append(s.path("errors").asInt()).append(" errors, ").append(s.path("skipped").asInt()).append(" skipped");
                    List<String> failing = new ArrayList<>();
                    for (JsonNode c : p.path("cases")) {
                        if (!"passed".equals(c.path("outcome").asText()) && !"skipped".equals(c.path("outcome").asText())) {
                            failing.add(c.path("name").asText());
                        }
                    }
                    if (!failing.isEmpty()) {
                        b.append("; failing: ").append(String.join(", ", failing.subList(0, Math.min(10, failing.size()))));
                        if (failing.size() > 10) {
                            b.append(" and ").append(failing.size() - 10).append(" more");
                        }
                    }
                }
                case "cmd_run" -> {
                    b.append("cmd `").append(oneLine(p.path("command").asText(), 300)).append("` exit ")
                            .append(p.path("exit_code").isNull() ? "?" : p.path("exit_code").asText());
                    String tail = tail(p.path("output_excerpt").asText(""), outputLines);
                    if (!tail.isEmpty()) {
                        b.append("\n    output: ").append(tail.replace("\n", "\n    "));
                    }
                }
                case "file_edit" -> {
                    b.append("edit ").append(p.path("path").asText()).append(" (+").append(p.path("lines_added").asInt())
                            .append(" -").append(p.path("lines_removed").asInt()).append(')');
                    if (p.path("before_sha256").isNull()) {
                        b.append(" new file");
                    } else if (p.path("after_sha256").isNull()) {
                        b.append(" deleted");
                    }
                    String changed = changedLines(p.path("diff").asText(""), diffLines);
                    if (!changed.isEmpty()) {
                        b.append("\n    ").append(changed.replace("\n", "\n    "));
                    }
                }
                case "commit" -> b.append("commit ").append(p.path("sha").asText().substring(0, Math.min(10, p.path("sha").asText().length())))
                        .append(": ").append(oneLine(p.path("message").asText(), 300));
                default -> b.append(e.path("type").asText());
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    static String oneLine(String s, int max) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() <= max ? t : t.substring(0, max) + "…";
    }

    static String tail(String output, int lines) {
        if (lines <= 0 || output.isBlank()) {
            return "";
        }
        String[] all = output.strip().split("\n");
        int from = Math.max(0, all.length - lines);
        List<String> kept = new ArrayList<>();
        for (int i = from; i < all.length; i++) {
            kept.add(oneLine(all[i], 200));
        }
        return (from > 0 ? "… " : "") + String.join("\n", kept);
    }

    static String changedLines(String diff, int max) {
        if (max <= 0) {
            return "";
        }
        List<String> out = new ArrayList<>();
        int total = 0;
        for (String l : diff.split("\n")) {
            if ((l.startsWith("+") || l.startsWith("-")) && !l.startsWith("+++") && !l.startsWith("---")) {
                total++;
                if (out.size() < max) {
                    out.add(l.length() > 200 ? l.substring(0, 200) + "…" : l);
                }
            }
        }
        if (total > out.size()) {
            out.add("… " + (total - out.size()) + " more changed lines");
        }
        return String.join("\n", out);
    }
}
