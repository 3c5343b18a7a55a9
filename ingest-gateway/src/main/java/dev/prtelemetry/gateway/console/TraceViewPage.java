package dev.prtelemetry.gateway.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One trace as a story: header, sandbox verdict and judges' scores (evidence linked to the cited
 * events), consent and retention, the integrity block with a "verify in this browser" button,
 * then the timeline — edits as diffs, commands with output, test runs with per-test outcomes and
 * flips, notes with their refs linked, commits.
 */
final class TraceViewPage {
    private TraceViewPage() {
    }

    static String render(Viewer viewer, String csrf, JsonNode view, JsonNode document, List<JsonNode> events) {
        String traceId = view.path("trace_id").asText();
        Html h = ConsolePages.layout("Trace " + traceId, viewer, csrf);
        h.raw("<article id=\"trace\"").attr("data-trace", traceId).attr("data-document", document != null ? "yes" : "no").raw(">");
        h.raw("<h1>").text(document != null ? document.path("task").path("title").asText(traceId) : traceId).raw("</h1>");
        h.raw("<dl class=\"facts\">");
        fact(h, "trace", traceId);
        fact(h, "task", view.path("task_id").asText());
        fact(h, "participant", view.path("participant_id").asText());
        if (document != null) {
            fact(h, "repository", document.path("repo").path("origin").asText() + " @ " + document.path("repo").path("start_commit").asText());
            fact(h, "outcome", document.path("session").path("outcome").asText(""));
        }
        h.raw("<dt>state</dt><dd id=\"state\">").raw(ConsolePages.badge(view.path("state").asText())).raw("</dd>");
        fact(h, "created", view.path("created_at").asText());
        h.raw("</dl>");

        qa(h, view.path("qa"));
        consent(h, view);
        integrity(h, view.path("integrity"), document == null ? null : document.path("integrity"), document != null);
        timeline(h, events);
        h.raw("</article>");
        return ConsolePages.end(h, "/console/static/console.js");
    }

    private static void fact(Html h, String name, String value) {
        h.raw("<dt>").text(name).raw("</dt><dd>").text(value).raw("</dd>");
    }

    private static void qa(Html h, JsonNode qa) {
        h.raw("<section class=\"qa\"><h2>Sandbox verification</h2>");
        JsonNode v = qa.path("verification");
        if (v.isMissingNode()) {
            h.raw("<p class=\"muted\" id=\"qa-verdict\">Not verified yet.</p>");
        } else {
            h.raw("<p id=\"qa-verdict\">").raw(ConsolePages.badge(v.path("verdict").asText())).raw(" by ").text(v.path("verifier").asText())
                    .raw(" in sandbox <code>").text(v.path("sandbox").asText()).raw("</code>");
            if (v.has("error")) {
                h.raw(" — ").text(v.path("error").asText());
            }
            h.raw("</p><table class=\"tests\"><thead><tr><th>test</th><th>before the fix</th><th>after</th><th></th></tr></thead><tbody>");
            for (JsonNode t : v.path("tests")) {
                String before = t.path("before").asText();
                String after = t.path("after").asText();
                h.raw("<tr><td><code>").text(t.path("id").asText()).raw("</code></td><td>").raw(ConsolePages.badge(before))
                        .raw("</td><td>").raw(ConsolePages.badge(after)).raw("</td><td>")
                        .raw(!before.equals("passed") && after.equals("passed") ? "<span class=\"flip\">fail → pass</span>" : "")
                        .raw("</td></tr>");
            }
            h.raw("</tbody></table>");
            if (v.path("flaky").size() > 0) {
                h.raw("<p>Flaky: <code>").text(v.path("flaky").toString()).raw("</code></p>");
            }
        }
        h.raw("<h2>Judges</h2>");
        JsonNode judgements = qa.path("judgements");
        if (judgements.size() == 0) {
            h.raw("<p class=\"muted\">Not judged yet.</p>");
        }
        Iterator<Map.Entry<String, JsonNode>> rubrics = judgements.fields();
        while (rubrics.hasNext()) {
            Map.Entry<String, JsonNode> rubric = rubrics.next();
            Iterator<Map.Entry<String, JsonNode>> judges = rubric.getValue().path("latest").fields();
            while (judges.hasNext()) {
                Map.Entry<String, JsonNode> j = judges.next();
                JsonNode overall = j.getValue().path("overall");
                h.raw("<div class=\"judgement\"><h3>").text(rubric.getKey()).raw(" · ").text(j.getKey()).raw(" · overall <span class=\"overall\">")
                        .text(overall.isNumber() ? String.format("%.2f", overall.doubleValue()) : "failed").raw("</span></h3>");
                if (j.getValue().has("error")) {
                    h.raw("<p class=\"error\">").text(j.getValue().path("error").asText()).raw("</p>");
                }
                h.raw("<table class=\"scores\"><tbody>");
                j.getValue().path("scores").fields().forEachRemaining(d -> {
                    h.raw("<tr><th>").text(d.getKey().replace('_', ' ')).raw("</th><td class=\"score\">").text(d.getValue().path("score").asText())
                            .raw("</td><td>").text(d.getValue().path("justification").asText()).raw(" ");
                    for (JsonNode ev : d.getValue().path("evidence")) {
                        h.raw("<a class=\"ref evidence\"").attr("href", "#e-" + ev.asText()).raw(">").text(ev.asText()).raw("</a> ");
                    }
                    h.raw("</td></tr>");
                });
                h.raw("</tbody></table></div>");
            }
        }
        h.raw("</section>");
    }

    private static void consent(Html h, JsonNode view) {
        JsonNode c = view.path("consent");
        h.raw("<section class=\"consent\"><h2>Consent and retention</h2><p>");
        if (c.isMissingNode()) {
            h.raw("<span class=\"muted\">No consent record.</span>");
        } else {
            h.raw("Scopes: ");
            for (JsonNode s : c.path("scopes")) {
                h.raw(ConsolePages.badge(s.asText())).raw(" ");
            }
            h.raw(" · text ").text(c.path("text_version").asText()).raw(" · granted ").text(c.path("granted_at").asText())
                    .raw(" · deleted after ").text(view.path("retain_until").asText());
            if ("deployment".equals(c.path("source").asText())) {
                h.raw(" · <span id=\"consent-source\">recorded outside the API by this deployment</span>");
            }
        }
        h.raw("</p></section>");
    }

    private static void integrity(Html h, JsonNode integrity, JsonNode documentIntegrity, boolean hasDocument) {
        h.raw("<section class=\"integrity\"><h2>Integrity</h2><dl class=\"facts\">");
        h.raw("<dt>chain head</dt><dd><code id=\"chain-head\">").text(integrity.path("chain_head").asText("")).raw("</code></dd>");
        h.raw("<dt>Merkle root</dt><dd><code id=\"merkle-root\">").text(integrity.path("merkle_root").asText("")).raw("</code></dd>");
        h.raw("<dt>events</dt><dd>").text(integrity.path("event_count").asText()).raw("</dd>");
        if (documentIntegrity != null && "server".equals(documentIntegrity.path("chain").asText())) {
            h.raw("<dt>chained by</dt><dd id=\"chain\">the server <span class=\"muted\">— format v0 events, sent without hashes:"
                    + " chained as they arrived, so nothing changed after arrival; before it, the client's word</span></dd>");
        }
        h.raw("<dt>assembly verdict</dt><dd>").raw(ConsolePages.badge(integrity.path("verdict").asText(null)));
        for (JsonNode r : integrity.path("reasons")) {
            h.raw("<div class=\"error\">").text(r.asText()).raw("</div>");
        }
        h.raw("</dd></dl>");
        if (hasDocument) {
            h.raw("<button id=\"verify\" type=\"button\">Verify in this browser</button>")
                    .raw(" <span class=\"muted\">recomputes every event hash (RFC 8785 + SHA-256) and the Merkle root from the stored document</span>")
                    .raw("<div id=\"verify-result\" role=\"status\"></div>");
        } else {
            h.raw("<p class=\"muted\">The document is written when the trace ends; verification needs it.</p>");
        }
        h.raw("</section>");
    }

    private static void timeline(Html h, List<JsonNode> events) {
        h.raw("<section class=\"timeline\"><h2>Timeline <span class=\"muted\">(").text(events.size()).raw(" events)</span></h2><ol id=\"events\">");
        Map<String, String> lastOutcome = new HashMap<>();
        for (JsonNode e : events) {
            String type = e.path("type").asText();
            JsonNode p = e.path("payload");
            h.raw("<li class=\"event t-").text(type).raw("\"").attr("id", "e-" + e.path("id").asText()).attr("data-seq", e.path("seq").asText())
                    .raw("><div class=\"ehead\"><span class=\"seq\">#").text(e.path("seq").asText()).raw("</span> <span class=\"etype\">")
                    .text(type.replace('_', ' ')).raw("</span> <span class=\"eid\">").text(e.path("id").asText()).raw("</span> <time>")
                    .text(ConsolePages.when(e.path("ts_client_s"))).raw("</time>");
            if (e.has("server_redaction")) {
                h.raw(" <span class=\"badge b-redacted\">redacted by the server</span>");
            }
            if (e.has("v0_event")) {
                h.raw(" <span class=\"badge\" title=\"sent without hashes by a client of the replaced system; translated and"
                        + " chained by the server, the original kept in v0_event\">format v0</span>");
            }
            h.raw("</div>");
            switch (type) {
                case "file_edit" -> {
                    h.raw("<div class=\"path\">").text(p.path("path").asText()).raw(" <span class=\"muted\">+").text(p.path("lines_added").asText("?"))
                            .raw(" −").text(p.path("lines_removed").asText("?")).raw("</span></div>");
                    diff(h, p.path("diff").asText(""));
                }
                case "cmd_run" -> {
                    h.raw("<pre class=\"cmd\">$ ").text(p.path("command").asText()).raw("</pre><div class=\"muted\">exit ")
                            .text(p.path("exit_code").asText()).raw(p.has("duration_s") ? " · " : "")
                            .text(p.has("duration_s") ? p.path("duration_s").asText() + " s" : "").raw("</div>");
                    if (!p.path("output_excerpt").asText("").isEmpty()) {
                        h.raw("<pre class=\"output\">").text(p.path("output_excerpt").asText()).raw("</pre>");
                    }
                }
                case "test_run" -> testRun(h, p, lastOutcome);
                case "rationale_note" -> {
                    note(h, p.path("kind"), p.path("text").asText());
                    for (JsonNode more : p.path("more")) { // a v0 note with several structured fields
                        note(h, more.path("kind"), more.path("text").asText());
                    }
                    if (p.has("freeform")) {
                        note(h, com.fasterxml.jackson.databind.node.MissingNode.getInstance(), p.path("freeform").asText());
                    }
                    if (p.path("refs").size() > 0) {
                        h.raw("<div class=\"refs\">refers to ");
                        for (JsonNode r : p.path("refs")) {
                            h.raw("<a class=\"ref\"").attr("href", "#e-" + r.asText()).raw(">").text(r.asText()).raw("</a> ");
                        }
                        h.raw("</div>");
                    }
                }
                case "commit" -> {
                    h.raw("<div><code>").text(p.path("sha").asText()).raw("</code> ").text(p.path("message").asText()).raw("</div>");
                    if (p.has("diff")) {
                        diff(h, p.path("diff").asText(""));
                    }
                }
                default -> h.raw("<pre class=\"output\">").text(p.toString()).raw("</pre>");
            }
            h.raw("</li>");
        }
        h.raw("</ol></section>");
    }

    private static void note(Html h, JsonNode kind, String text) {
        h.raw("<p class=\"note-text\">");
        if (kind.isTextual()) {
            h.raw("<span class=\"badge b-note\">").text(kind.asText().replace('_', ' ')).raw("</span> ");
        }
        h.text(text).raw("</p>");
    }

    private static void testRun(Html h, JsonNode p, Map<String, String> lastOutcome) {
        JsonNode s = p.path("summary");
        if (p.has("command")) {
            h.raw("<pre class=\"cmd\">$ ").text(p.path("command").asText()).raw("</pre>");
        }
        // a test run translated from v0 has no errors, skipped or exit code: not shown rather than shown as 0
        h.raw("<div>").text(p.path("framework").asText()).raw(": ").text(s.path("passed").asText("0")).raw(" passed, ")
                .text(s.path("failed").asText("0")).raw(" failed")
                .text(s.has("errors") ? ", " + s.path("errors").asText() + " errors" : "")
                .text(s.has("skipped") ? ", " + s.path("skipped").asText() + " skipped" : "")
                .text(p.has("exit_code") ? " · exit " + p.path("exit_code").asText() : "").raw("</div><table class=\"cases\"><tbody>");
        for (JsonNode c : p.path("cases")) {
            String id = c.path("classname").asText("") + "::" + c.path("name").asText();
            String outcome = c.path("outcome").asText();
            String before = lastOutcome.put(id, outcome);
            String flip = before == null || before.equals(outcome) ? ""
                    : "<span class=\"flip\">" + Html.escape(before) + " → " + Html.escape(outcome) + "</span>";
            h.raw("<tr><td><code>").text(id).raw("</code></td><td>").raw(ConsolePages.badge(outcome)).raw("</td><td>").raw(flip)
                    .raw("</td><td class=\"muted\">").text(c.path("message").asText("")).raw("</td></tr>");
        }
        h.raw("</tbody></table>");
    }

    private static void diff(Html h, String diff) {
        h.raw("<pre class=\"diff\">");
        for (String line : diff.split("\n", -1)) {
            String cls = line.startsWith("+++") || line.startsWith("---") ? "dh" : line.startsWith("@@") ? "dhunk"
                    : line.startsWith("+") ? "dadd" : line.startsWith("-") ? "ddel" : "dctx";
            h.raw("<span class=\"").raw(cls).raw("\">").text(line).raw("</span>"); // a block per line: no newline between
        }
        h.raw("</pre>");
    }
}
