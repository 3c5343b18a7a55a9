package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Credentials;
import dev.prtelemetry.recorder.session.GatewayClient;
import dev.prtelemetry.recorder.session.JournalCheck;
import dev.prtelemetry.recorder.session.Uploader;
import dev.prtelemetry.recorder.session.Workspace;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status",
        description = "Shows the session in this repository (trace, task, events recorded, latest of each kind), what is "
                + "still queued for upload, whether the journal is sound (every event acceptable to the server, the chain intact), "
                + "what the recorder could not record, why an upload is stuck, and the server's view of the trace (state, events assembled, integrity verdict). "
                + "Exits 1 when the session is stuck.",
        footer = {"", "Example:", "  prt status --json"})
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Workspace ws = Workspace.around(Path.of(System.getProperty("user.dir")));
        if (!Files.exists(ws.session())) {
            out.println("prt: no session in " + ws.repoRoot() + " (start one with prt start)");
            return ExitCodes.INVALID;
        }
        JsonNode session = StrictJson.parse(Files.readAllBytes(ws.session()));
        ObjectNode report = StrictJson.mapper().createObjectNode();
        String traceId = session.get("trace_id").asText();
        report.put("trace_id", traceId);
        report.put("task_id", session.path("task_id").asText());
        report.put("participant_id", session.path("participant_id").asText());
        report.put("state", session.path("finished").asBoolean() ? "finished" : "recording");
        report.put("events_recorded", session.path("next_seq").asLong());
        report.set("latest", session.path("last"));
        report.put("chain_head", session.path("head").asText(null));
        ObjectNode queued = Uploader.queued(ws);
        report.set("upload", queued);
        JournalCheck.Result journal = JournalCheck.check(ws, traceId);
        report.set("journal", journal.toJson());
        if (session.hasNonNull("last_refusal")) {
            report.set("not_recorded", session.get("last_refusal"));
            report.put("not_recorded_count", session.path("refusals").asLong());
        }
        String stuck = stuck(journal, queued);
        if (stuck != null) {
            report.put("stuck", stuck);
        }
        Credentials creds = Credentials.resolve(null, null, ws, System.getenv());
        report.put("server", creds.server());
        JsonNode progress = Files.exists(ws.upload()) ? StrictJson.parse(Files.readAllBytes(ws.upload())) : null;
        if (progress != null && progress.hasNonNull("upload_token")) {
            try {
                JsonNode t = new GatewayClient(creds.server()).get("/v1/traces/" + traceId,
                        progress.get("upload_token").asText()).body();
                ObjectNode server = report.putObject("server_view");
                server.put("state", t.path("state").asText());
                server.put("event_count", t.path("integrity").path("event_count").asLong(t.path("event_count").asLong()));
                server.set("integrity", t.path("integrity"));
            } catch (GatewayClient.CallFailed e) {
                report.put("server_view", e.status == 404 ? "not assembled yet" : "unavailable: " + e.getMessage());
            }
        } else {
            report.put("server_view", "not created on the server yet");
        }
        if (json) {
            out.println(report.toPrettyString());
            return stuck == null ? ExitCodes.OK : ExitCodes.INVALID;
        }
        if (stuck != null) {
            out.println("STUCK      " + stuck);
        }
        out.printf("trace      %s (%s)%n", traceId, report.get("state").asText());
        out.printf("task       %s, participant %s%n", report.get("task_id").asText(), report.get("participant_id").asText());
        out.printf("recorded   %d events; latest: %s%n", report.get("events_recorded").asLong(), session.path("last"));
        out.printf("queued     %d events, %d artifacts%s%s%n", queued.get("events_queued").asLong(),
                queued.get("artifacts_queued").asLong(), queued.get("created").asBoolean() ? "" : ", trace not created yet",
                queued.has("last_error") ? "; last error: " + queued.get("last_error").asText() : "");
        out.printf("server     %s: %s%n", creds.server(), report.get("server_view").isObject()
                ? report.get("server_view").get("state").asText() + ", " + report.get("server_view").get("event_count").asLong()
                + " events assembled, verdict " + report.get("server_view").path("integrity").path("verdict").asText("pending")
                : report.get("server_view").asText());
        out.printf("journal    %s%n", journal.describe());
        if (session.hasNonNull("last_refusal")) {
            JsonNode r = session.get("last_refusal");
            out.printf("skipped    %d event(s) the server would refuse, the last a %s: %s (a recorder note says so at ev-%d)%n",
                    session.path("refusals").asLong(), r.path("what").asText(), r.path("why").asText(), r.path("at_seq").asLong());
        }
        return stuck == null ? ExitCodes.OK : ExitCodes.INVALID;
    }

    /** Why nothing more will reach the server without help, or null: a broken journal, or a refusal no retry fixes. */
    static String stuck(JournalCheck.Result journal, JsonNode queued) {
        if (!journal.ok()) {
            return "the journal (.prt/journal.jsonl) is broken at " + journal.describe()
                    + "; the events from there on cannot be uploaded. Run prt doctor.";
        }
        JsonNode r = queued.get("refused");
        if (r == null) {
            return null;
        }
        if (r.hasNonNull("event_id")) {
            return "the server refused chunk " + r.path("chunk_seq").asLong() + " (events " + r.path("first_seq").asLong() + ".."
                    + r.path("last_seq").asLong() + ") because of " + r.path("event_id").asText() + " (" + r.path("event_type").asText()
                    + (r.hasNonNull("event_path") ? " of " + r.path("event_path").asText() : "") + ") at " + r.path("pointer").asText()
                    + ": " + r.path("why").asText() + " (HTTP " + r.path("status").asInt() + "). Nothing after it can be uploaded. Run prt doctor.";
        }
        return "the server refused the upload: " + r.path("message").asText() + ". Run prt doctor.";
    }
}
