package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Credentials;
import dev.prtelemetry.recorder.session.GatewayClient;
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
                + "still queued for upload, and the server's view of the trace (state, events assembled, integrity verdict).",
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
            return ExitCodes.OK;
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
        return ExitCodes.OK;
    }
}
