package dev.prtelemetry.gateway.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The console's pages, written server-side; data only ever reaches them through {@link Html#text}/{@link Html#attr}. */
final class ConsolePages {
    private ConsolePages() {
    }

    static Html layout(String title, Viewer viewer, String csrf) {
        Html h = new Html();
        h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
                .raw("<title>").text(title).raw(" · PR Telemetry</title>")
                .raw("<link rel=\"stylesheet\" href=\"/console/static/console.css\">")
                .raw("<link rel=\"stylesheet\" href=\"/console/static/uplot/uPlot.min.css\"></head><body>")
                .raw("<header><a class=\"brand\" href=\"/console/\">PR Telemetry</a>");
        if (viewer != null) {
            h.raw("<nav><a href=\"/console/dashboard\">Dashboard</a><a href=\"/console/traces\">Traces</a></nav>")
                    .raw("<form method=\"post\" action=\"/console/sign-out\" class=\"signout\"><span class=\"who\">")
                    .text(viewer.isResearcher() ? "researcher" : "participant " + viewer.participant())
                    .raw("</span><input type=\"hidden\" name=\"csrf\"").attr("value", csrf)
                    .raw("><button id=\"sign-out\" type=\"submit\">Sign out</button></form>");
        }
        return h.raw("</header><main>");
    }

    static String end(Html h, String... scripts) {
        h.raw("</main>");
        for (String s : scripts) {
            h.raw("<script src=\"").text(s).raw("\"></script>");
        }
        return h.raw("</body></html>").toString();
    }

    static String signIn(String error) {
        Html h = layout("Sign in", null, "");
        h.raw("<section class=\"signin\"><h1>Sign in</h1><p>Paste the researcher token (the local stack writes it to ")
                .raw("<code>.prt-data/researcher.token</code>) or your participant token.</p>");
        if (error != null) {
            h.raw("<p class=\"error\" id=\"sign-in-error\">").text(error).raw("</p>");
        }
        h.raw("<form method=\"post\" action=\"/console/sign-in\"><label>Token <input id=\"token\" name=\"token\" type=\"password\"")
                .raw(" autocomplete=\"off\" required></label><button id=\"sign-in\" type=\"submit\">Sign in</button></form></section>");
        return end(h);
    }

    static String dashboard(Viewer viewer, String csrf, List<String> tasks) {
        Html h = layout("Dashboard", viewer, csrf);
        h.raw("<h1>Live metrics</h1><form id=\"filters\" class=\"filters\"><label>Range <select id=\"range\" name=\"range\">")
                .raw("<option value=\"15m\">15 minutes</option><option value=\"1h\" selected>1 hour</option>")
                .raw("<option value=\"6h\">6 hours</option><option value=\"24h\">24 hours</option><option value=\"7d\">7 days</option></select></label>");
        if (viewer.isResearcher()) {
            h.raw("<label>Task <select id=\"task\" name=\"task\"><option value=\"\">all tasks</option>");
            for (String t : tasks) {
                h.raw("<option").attr("value", t).raw(">").text(t).raw("</option>");
            }
            h.raw("</select></label>");
        }
        h.raw("<span id=\"live\" class=\"live\">connecting…</span></form>")
                .raw("<section class=\"cards\">")
                .raw(card("events", "events ingested")).raw(card("chunks", "chunks")).raw(card("megabytes", "MB"))
                .raw(card("opened", "traces opened")).raw(card("completed", "completed")).raw(card("rejected", "rejected"))
                .raw(card("abandoned", "abandoned")).raw(card("duplicates", "duplicates dropped"))
                .raw(card("resolved", "resolved")).raw(card("not_resolved", "not resolved")).raw(card("waiting", "waiting"))
                .raw(card("error", "QA errors")).raw(card("p99", "ingest→assembled p99 (last minute, ms)"))
                .raw(card("sandbox", "sandbox time (s)"))
                .raw("</section><section class=\"charts\"><figure><figcaption>Events per window</figcaption><div id=\"chart-events\"></div></figure>")
                .raw("<figure><figcaption>Traces per window</figcaption><div id=\"chart-traces\"></div></figure>")
                .raw("<figure><figcaption>Ingest → assembled latency (ms)</figcaption><div id=\"chart-latency\"></div></figure>")
                .raw("<figure><figcaption>Judge scores (mean per rubric dimension, and their spread)</figcaption><div id=\"scores\"></div></figure></section>")
                .raw("<p class=\"note\">Counts are the sums of the job's windows in the range (per minute up to 6 hours, per hour beyond); ")
                .raw("a window changes while facts arrive, late ones included.</p>");
        h.raw("<div id=\"dashboard\"").attr("data-scope", viewer.isResearcher() ? "" : viewer.participant()).raw("></div>");
        return end(h, "/console/static/uplot/uPlot.iife.min.js", "/console/static/console.js");
    }

    private static String card(String id, String label) {
        return "<div class=\"card\"><div class=\"num\" id=\"m-" + id + "\">–</div><div class=\"label\">" + Html.escape(label) + "</div></div>";
    }

    static String traces(Viewer viewer, String csrf, dev.prtelemetry.gateway.TraceReads.Filter f, JsonNode page,
                         Map<String, String> query) {
        Html h = layout("Traces", viewer, csrf);
        h.raw("<h1>Traces</h1><form class=\"filters\" method=\"get\" action=\"/console/traces\">");
        select(h, "state", f.state(), List.of("", "open", "receiving", "complete", "rejected", "abandoned"));
        select(h, "verdict", f.verdict(), List.of("", "resolved", "not_resolved", "waiting", "error", "none"));
        if (viewer.isResearcher()) {
            input(h, "participant", f.participantId(), "text");
        }
        input(h, "task", f.taskId(), "text");
        input(h, "from", f.from() == null ? null : f.from().toString(), "text");
        input(h, "to", f.to() == null ? null : f.to().toString(), "text");
        input(h, "min_score", f.minScore() == null ? null : f.minScore().toString(), "number");
        h.raw("<button id=\"filter\" type=\"submit\">Filter</button></form>");
        h.raw("<table id=\"trace-list\" class=\"list\"><thead><tr><th>created</th><th>trace</th><th>task</th><th>participant</th>")
                .raw("<th>state</th><th>events</th><th>chain</th><th>sandbox verdict</th><th>score</th></tr></thead><tbody>");
        for (JsonNode r : page.path("traces")) {
            String id = r.path("trace_id").asText();
            JsonNode qa = r.path("qa");
            h.raw("<tr class=\"trace-row\"").attr("data-trace", id).raw("><td>").text(r.path("created_at").asText().replace('T', ' '))
                    .raw("</td><td><a").attr("href", "/console/traces/" + Html.url(id)).raw(">").text(id).raw("</a></td><td>")
                    .text(r.path("task_id").asText()).raw("</td><td>").text(r.path("participant_id").asText()).raw("</td><td>")
                    .raw(badge(r.path("state").asText())).raw("</td><td>").text(r.path("counts").path("events").asText())
                    .raw("</td><td>").raw(badge(r.path("integrity").path("verdict").asText(null))).raw("</td><td class=\"verdict\">")
                    .raw(qa.path("verdict").isTextual() ? badge(qa.path("verdict").asText()) : "<span class=\"muted\">none yet</span>")
                    .raw("</td><td class=\"score\">")
                    .text(qa.path("overall").isNumber() ? String.format("%.2f", qa.path("overall").asDouble()) + " ("
                            + qa.path("rubric").asText() + ")" : "").raw("</td></tr>");
        }
        if (page.path("traces").isEmpty()) {
            h.raw("<tr><td colspan=\"9\" class=\"muted\">No traces match.</td></tr>");
        }
        h.raw("</tbody></table>");
        if (page.path("next_cursor").isTextual()) {
            Map<String, String> next = new HashMap<>(query);
            next.put("cursor", page.path("next_cursor").asText());
            StringBuilder qs = new StringBuilder();
            next.forEach((k, v) -> {
                if (v != null && !v.isEmpty()) {
                    qs.append(qs.length() == 0 ? "?" : "&").append(Html.url(k)).append('=').append(Html.url(v));
                }
            });
            h.raw("<p><a id=\"next-page\"").attr("href", "/console/traces" + qs).raw(">Older traces →</a></p>");
        }
        return end(h);
    }

    private static void select(Html h, String name, String value, List<String> options) {
        h.raw("<label>").text(name.replace('_', ' ')).raw(" <select").attr("name", name).attr("id", "f-" + name).raw(">");
        for (String o : options) {
            h.raw("<option").attr("value", o).raw(o.equals(value == null ? "" : value) ? " selected>" : ">")
                    .text(o.isEmpty() ? "any" : o.replace('_', ' ')).raw("</option>");
        }
        h.raw("</select></label>");
    }

    private static void input(Html h, String name, String value, String type) {
        h.raw("<label>").text(name.replace('_', ' ')).raw(" <input").attr("name", name).attr("id", "f-" + name).attr("type", type)
                .raw("number".equals(type) ? " step=\"0.1\" min=\"0\" max=\"5\"" : "")
                .attr("value", value == null ? "" : value).raw("></label>");
    }

    static String badge(String value) {
        if (value == null) {
            return "";
        }
        return "<span class=\"badge b-" + Html.escape(value.replaceAll("[^a-z_]", "")) + "\">" + Html.escape(value.replace('_', ' ')) + "</span>";
    }

    static String when(JsonNode seconds) {
        return seconds != null && seconds.isNumber() ? Instant.ofEpochMilli(Math.round(seconds.doubleValue() * 1000)).toString().replace('T', ' ') : "";
    }
}
