package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.TraceVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the journal the way the server will, without the server: every line is JSON, every
 * event passes the gateway's schema, and the events form an intact hash chain. The first
 * problem is named with its line, seq, event and reason — what {@code prt status} and
 * {@code prt doctor} report for a stuck session.
 */
public final class JournalCheck {
    /** {@code ok}, or the first problem: the 1-based line, the event (when it parsed) and why. */
    public record Result(boolean ok, int events, Integer line, String eventId, String eventType, String eventPath, String problem) {
        public String describe() {
            if (ok) {
                return events + " events, chain intact, every event acceptable to the server";
            }
            StringBuilder s = new StringBuilder("line ").append(line);
            if (eventId != null) {
                s.append(" (").append(eventId).append(' ').append(eventType).append(eventPath == null ? "" : " of " + eventPath).append(')');
            }
            return s.append(": ").append(problem).toString();
        }

        public ObjectNode toJson() {
            ObjectNode n = StrictJson.mapper().createObjectNode();
            n.put("ok", ok);
            n.put("events", events);
            if (!ok) {
                n.put("line", line);
                n.put("event_id", eventId);
                n.put("event_type", eventType);
                if (eventPath != null) {
                    n.put("event_path", eventPath);
                }
                n.put("problem", problem);
            }
            return n;
        }
    }

    private JournalCheck() {
    }

    public static Result check(Workspace ws, String traceId) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        if (!Files.exists(ws.journal())) {
            return new Result(true, 0, null, null, null, null, null);
        }
        String[] lines = Files.readString(ws.journal(), StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                if (i == lines.length - 1) {
                    continue;
                }
                return new Result(false, events.size(), i + 1, null, null, null, "an empty line in the middle of the journal");
            }
            JsonNode e;
            try {
                e = StrictJson.parse(lines[i]);
            } catch (RuntimeException bad) {
                return new Result(false, events.size(), i + 1, null, null, null, "not an event (not JSON: " + bad.getMessage() + ")");
            }
            if (!(e instanceof ObjectNode obj)) {
                return new Result(false, events.size(), i + 1, null, null, null, "not an event (not a JSON object)");
            }
            List<Violation> refused = Recorder.refusals(obj);
            if (!refused.isEmpty()) {
                Violation v = refused.get(0);
                return problem(events.size(), i + 1, e, "the server would refuse it: " + v.pointer().replaceFirst("^/events/0", "")
                        + ": " + v.message() + (refused.size() > 1 ? " (and " + (refused.size() - 1) + " more)" : ""));
            }
            events.add(e);
        }
        ChainVerdict v = TraceVerifier.verify(traceId, events);
        if (!v.intact()) {
            int at = (int) Math.max(0, Math.min(events.size() - 1, v.failedSeq()));
            return problem(events.size(), at + 1, events.isEmpty() ? null : events.get(at), "the hash chain breaks: " + v.reason());
        }
        return new Result(true, events.size(), null, null, null, null, null);
    }

    private static Result problem(int count, int line, JsonNode e, String why) {
        return new Result(false, count, line, e == null ? null : e.path("id").asText(null), e == null ? null : e.path("type").asText(null),
                e == null ? null : e.path("payload").path("path").asText(null), why);
    }
}
