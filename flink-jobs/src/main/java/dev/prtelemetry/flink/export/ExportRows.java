package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.grading.Workspaces;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One exported row per trace, as JSON with the members of {@link ExportSchema} (the JSONL line,
 * and what a Parquet row holds): the trace's task and repository, its events with typed columns
 * per event kind, the final patch split into fix and test patch, the tests verification found,
 * the judgements, consent and the integrity block. Every event also keeps {@code raw}: the event
 * exactly as hashed (RFC 8785), so a reader can check the row against its chain head and Merkle
 * root without trusting the typed columns, and {@link ExportVerifier} checks that the typed columns
 * are the ones {@code raw} gives.
 */
public final class ExportRows {
    private ExportRows() {
    }

    /** The newest sandbox verification of a trace (qa_validations). */
    public record Verification(String verifier, String verdict, boolean resolved, String createdAt, JsonNode tests) {
    }

    /** One stored judgement (qa_judgements): scores is {dimension: {score, justification, evidence}}. */
    public record Judgement(String rubric, String judge, Double overall, JsonNode scores, String createdAt) {
    }

    /** What consent the trace was given with (trace_consents). */
    public record Consent(List<String> scopes, String textVersion) {
    }

    public static ObjectNode row(JsonNode document, String split, Verification verification, List<Judgement> judgements,
                                 Consent consent, String finalPatch) {
        ObjectNode r = StrictJson.mapper().createObjectNode();
        r.put("trace_id", document.path("trace_id").asText());
        r.put("split", split);
        r.put("task_id", document.at("/task/id").asText(null));
        r.put("task_title", document.at("/task/title").asText(null));
        r.put("task_description", document.at("/task/description").asText(null));
        r.put("repo_origin", document.at("/repo/origin").asText(null));
        r.put("start_commit", document.at("/repo/start_commit").asText(null));
        r.put("test_command", document.at("/environment/test_command").asText(null));
        ArrayNode events = r.putArray("events");
        for (JsonNode e : document.path("events")) {
            events.add(event(e));
        }
        r.put("final_patch", finalPatch);
        String[] parts = finalPatch == null ? new String[] {null, null} : splitPatch(finalPatch);
        r.put("patch", parts[0]);
        r.put("test_patch", parts[1]);
        ArrayNode f2p = r.putArray("fail_to_pass");
        ArrayNode p2p = r.putArray("pass_to_pass");
        if (verification != null) {
            for (JsonNode t : verification.tests()) {
                boolean after = "passed".equals(t.path("after").asText());
                boolean before = "passed".equals(t.path("before").asText());
                if (after && !before) {
                    f2p.add(t.path("id").asText());
                } else if (after) {
                    p2p.add(t.path("id").asText());
                }
            }
            r.put("verdict", verification.verdict());
            r.put("verifier", verification.verifier());
            r.put("verified_at", verification.createdAt());
        } else {
            r.putNull("verdict");
            r.putNull("verifier");
            r.putNull("verified_at");
        }
        ArrayNode js = r.putArray("judgements");
        for (Judgement j : judgements) {
            ObjectNode o = js.addObject();
            o.put("rubric", j.rubric());
            o.put("judge", j.judge());
            if (j.overall() == null) {
                o.putNull("overall");
            } else {
                o.put("overall", j.overall());
            }
            ArrayNode scores = o.putArray("scores");
            List<String> dims = new ArrayList<>();
            j.scores().fieldNames().forEachRemaining(dims::add);
            dims.sort(null);
            for (String d : dims) {
                JsonNode s = j.scores().get(d);
                ObjectNode so = scores.addObject();
                so.put("dimension", d);
                if (s.path("score").isNumber()) {
                    so.put("score", s.get("score").asDouble());
                } else {
                    so.putNull("score");
                }
                so.put("justification", s.path("justification").asText(null));
                ArrayNode ev = so.putArray("evidence");
                s.path("evidence").forEach(x -> ev.add(x.asText()));
            }
            o.put("judged_at", j.createdAt());
        }
        ArrayNode scopes = r.putArray("consent_scopes");
        if (consent != null) {
            consent.scopes().forEach(scopes::add);
        }
        r.put("consent_text_version", consent == null ? null : consent.textVersion());
        r.put("chain_head", document.at("/integrity/chain_head").asText(null));
        r.put("merkle_root", document.at("/integrity/merkle_root").asText(null));
        r.put("event_count", document.at("/integrity/event_count").asLong(events.size()));
        return r;
    }

    /**
     * A SWE-bench task instance from a verified trace (SWE-bench's fields, and {@code test_command},
     * the command the verification ran, and the trace's id and chain head for provenance); null
     * with a reason when the trace cannot make one (no final patch, no test turned from failing to passing).
     */
    public static ObjectNode instance(JsonNode document, Verification verification, String finalPatch, String[] whyNot) {
        ObjectNode row = row(document, "test", verification, List.of(), null, finalPatch);
        if (finalPatch == null || row.get("patch").isNull()) {
            whyNot[0] = "no final patch (repo.final_patch_ref) with a change outside the tests";
            return null;
        }
        if (row.get("fail_to_pass").isEmpty()) {
            whyNot[0] = "its verification found no test that the fix turned from failing to passing";
            return null;
        }
        String task = document.at("/task/id").asText("task");
        String traceId = document.path("trace_id").asText();
        ObjectNode i = StrictJson.mapper().createObjectNode();
        i.put("instance_id", task.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + traceId.substring(0, Math.min(8, traceId.length())));
        i.put("repo", document.at("/repo/origin").asText(""));
        i.put("base_commit", document.at("/repo/start_commit").asText(""));
        i.set("patch", row.get("patch"));
        i.put("test_patch", row.get("test_patch").asText(""));
        i.set("FAIL_TO_PASS", row.get("fail_to_pass"));
        i.set("PASS_TO_PASS", row.get("pass_to_pass"));
        String title = document.at("/task/title").asText("");
        String description = document.at("/task/description").asText("");
        i.put("problem_statement", description.isEmpty() ? title : title + "\n\n" + description);
        i.set("test_command", row.get("test_command"));
        i.put("created_at", document.at("/session/started_at").isNumber()
                ? java.time.Instant.ofEpochMilli((long) (document.at("/session/started_at").asDouble() * 1000)).toString() : null);
        i.put("trace_id", traceId);
        i.set("chain_head", row.get("chain_head"));
        i.set("merkle_root", row.get("merkle_root"));
        i.set("verifier", row.get("verifier"));
        return i;
    }

    /**
     * An event's typed columns (the members of every kind, null where a kind has none) and {@code raw}.
     * Deterministic in the event alone: {@link ExportVerifier} rebuilds it from {@code raw} and compares.
     */
    public static ObjectNode event(JsonNode e) {
        ObjectNode o = StrictJson.mapper().createObjectNode();
        JsonNode p = e.path("payload");
        String type = e.path("type").asText();
        o.put("seq", e.path("seq").asLong());
        o.put("id", e.path("id").asText());
        o.put("type", type);
        o.put("ts_client_s", e.path("ts_client_s").asDouble());
        number(o, "ts_server_s", e.path("ts_server_s"));
        o.put("prev_hash", e.path("prev_hash").asText());
        o.put("hash", e.path("hash").asText());
        boolean edit = "file_edit".equals(type);
        boolean cmd = "cmd_run".equals(type);
        boolean test = "test_run".equals(type);
        boolean commit = "commit".equals(type);
        boolean note = "rationale_note".equals(type);
        text(o, "path", edit ? p.path("path") : null);
        text(o, "diff", edit || commit ? p.path("diff") : null);
        text(o, "before_sha256", edit ? p.path("before_sha256") : null);
        text(o, "after_sha256", edit ? p.path("after_sha256") : null);
        text(o, "command", cmd || test ? p.path("command") : null);
        text(o, "cwd", cmd ? p.path("cwd") : null);
        integer(o, "exit_code", cmd || test ? p.path("exit_code") : null);
        number(o, "duration_s", cmd || test ? p.path("duration_s") : null);
        text(o, "output_excerpt", cmd ? p.path("output_excerpt") : null);
        bool(o, "output_truncated", cmd ? p.path("output_truncated") : null);
        text(o, "framework", test ? p.path("framework") : null);
        for (String k : new String[] {"total", "passed", "failed", "errors", "skipped"}) {
            integer(o, "tests_" + k, test ? p.path("summary").path(k) : null);
        }
        if (test && p.path("cases").isArray()) {
            ArrayNode cases = o.putArray("cases");
            for (JsonNode c : p.get("cases")) {
                ObjectNode co = cases.addObject();
                text(co, "name", c.path("name"));
                text(co, "classname", c.path("classname"));
                text(co, "outcome", c.path("outcome"));
                number(co, "duration_s", c.path("duration_s"));
                text(co, "message", c.path("message"));
            }
        } else {
            o.putNull("cases");
        }
        text(o, "commit_sha", commit ? p.path("sha") : null);
        text(o, "message", commit ? p.path("message") : null);
        strings(o, "parents", commit ? p.path("parents") : null);
        text(o, "author", commit ? p.path("author") : null);
        text(o, "note_kind", note ? p.path("kind") : null);
        text(o, "text", note ? p.path("text") : null);
        strings(o, "refs", note ? p.path("refs") : null);
        ArrayNode artifacts = o.putArray("artifact_refs");
        for (String k : new String[] {"output_ref", "report_ref", "diff_ref", "content_ref"}) {
            if (p.path(k).isTextual()) {
                artifacts.add(p.get(k).asText());
            }
        }
        o.put("raw", new String(CanonicalJson.canonicalBytes(e), StandardCharsets.UTF_8));
        return o;
    }

    private static void text(ObjectNode o, String name, JsonNode v) {
        if (v != null && v.isTextual()) {
            o.put(name, v.asText());
        } else {
            o.putNull(name);
        }
    }

    private static void integer(ObjectNode o, String name, JsonNode v) {
        if (v != null && v.canConvertToLong() && v.isIntegralNumber()) {
            o.put(name, v.asLong());
        } else {
            o.putNull(name);
        }
    }

    private static void number(ObjectNode o, String name, JsonNode v) {
        if (v != null && v.isNumber()) {
            o.put(name, v.asDouble());
        } else {
            o.putNull(name);
        }
    }

    private static void bool(ObjectNode o, String name, JsonNode v) {
        if (v != null && v.isBoolean()) {
            o.put(name, v.asBoolean());
        } else {
            o.putNull(name);
        }
    }

    private static void strings(ObjectNode o, String name, JsonNode v) {
        if (v != null && v.isArray()) {
            ArrayNode a = o.putArray(name);
            v.forEach(x -> a.add(x.asText()));
        } else {
            o.putNull(name);
        }
    }

    /**
     * A unified diff split by file into {fix, tests}: the sections whose file is a test file by
     * the verifier's own rule ({@link Workspaces#TEST_FILE}) make the test patch, as SWE-bench's
     * {@code test_patch}; either is null when empty.
     */
    public static String[] splitPatch(String patch) {
        StringBuilder fix = new StringBuilder();
        StringBuilder tests = new StringBuilder();
        StringBuilder into = fix;
        boolean git = patch.startsWith("diff --git ") || patch.contains("\ndiff --git ");
        String[] lines = patch.split("(?<=\n)");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String path = null;
            if (git && line.startsWith("diff --git ")) {
                String[] parts = line.trim().split(" ");
                path = parts[parts.length - 1].replaceFirst("^b/", "");
            } else if (!git && line.startsWith("--- ") && i + 1 < lines.length && lines[i + 1].startsWith("+++ ")) {
                path = lines[i + 1].substring(4).trim().replaceFirst("^b/", "").replaceFirst("\t.*", "");
            }
            if (path != null) {
                into = Workspaces.TEST_FILE.matcher(path).matches() ? tests : fix;
            }
            into.append(line);
        }
        return new String[] {fix.length() == 0 ? null : fix.toString(), tests.length() == 0 ? null : tests.toString()};
    }
}
