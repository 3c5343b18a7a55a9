package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Credentials;
import dev.prtelemetry.recorder.session.GatewayClient;
import dev.prtelemetry.recorder.session.Git;
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

@Command(name = "doctor", sortOptions = false,
        description = {"Checks what a recording needs and says what to do about each problem: the gateway is reachable, "
                + "the token is accepted, a sandbox can re-run tests here, and (in a session) the journal is sound, "
                + "the watcher runs and the upload is not stuck. Exits 1 when something fails."},
        footer = {"", "Examples:", "  prt doctor", "  prt doctor --json"})
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    private final ArrayNode checks = StrictJson.mapper().createArrayNode();
    private boolean failed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path cwd = Path.of(System.getProperty("user.dir"));
        Path root = Git.findRoot(cwd);
        Workspace ws = root == null ? null : new Workspace(root);
        boolean session = ws != null && Files.exists(ws.session());
        JsonNode state = session ? StrictJson.parse(Files.readAllBytes(ws.session())) : null;
        Credentials creds = Credentials.resolve(null, null, ws, System.getenv());
        GatewayClient client = new GatewayClient(creds.server());

        boolean reachable = false;
        try {
            client.get("/healthz", null);
            reachable = true;
            check("gateway", "ok", creds.server() + " answers", null);
        } catch (GatewayClient.CallFailed e) {
            check("gateway", "fail", creds.server() + ": " + e.getMessage(),
                    "start it (./prt up) or point prt at yours: PRT_URL=… or prt login --server URL");
        }

        JsonNode progress = session && Files.exists(ws.upload()) ? StrictJson.parse(Files.readAllBytes(ws.upload())) : null;
        String uploadToken = progress == null ? null : progress.path("upload_token").asText(null);
        String token = uploadToken != null ? uploadToken : creds.token();
        if (token == null) {
            check("token", "fail", "no token", "prt login --participant ID --researcher-token-file FILE (or set PRT_TOKEN)");
        } else if (!reachable) {
            check("token", "warn", "not checked: the gateway does not answer", null);
        } else {
            String traceId = state == null ? "trace-doctor-check" : state.path("trace_id").asText();
            try {
                client.get("/v1/traces/" + traceId, token);
                check("token", "ok", (uploadToken != null ? "the session's upload token" : "the token") + " is accepted", null);
            } catch (GatewayClient.CallFailed e) {
                if (e.status == 401 || e.status == 403) {
                    check("token", "fail", "refused: " + e.getMessage(), uploadToken != null
                            ? "the upload token expired or was revoked: prt sync asks for a new one with your login token (prt login)"
                            : "prt login again (the token expired or is for another server)");
                } else {
                    check("token", "ok", "accepted (the server answered " + e.status + " for the trace, not 401/403)", null);
                }
            }
        }

        // sandboxes are the QA tools' (prt-qa.jar, with docker-java): the recording client does not carry them
        check("sandbox", "ok", "not needed to record; `prt qa doctor` says which sandbox test re-runs would use here", null);

        if (!session) {
            check("session", "ok", "no session here" + (root == null ? " (not in a git repository)" : ""), null);
        } else {
            String traceId = state.path("trace_id").asText();
            JournalCheck.Result j = JournalCheck.check(ws, traceId);
            if (j.ok()) {
                check("journal", "ok", j.describe(), null);
            } else {
                check("journal", "fail", j.describe(), "nothing from that line on can be uploaded; keep .prt/ for a bug report, "
                        + "then prt finish records the final patch and prt start begins a new trace");
            }
            long nextSeq = state.path("next_seq").asLong();
            if (j.ok() && j.events() != nextSeq) {
                check("state", "warn", "the session state expects " + nextSeq + " events, the journal holds " + j.events(),
                        "the next prt command repairs the state from the journal");
            }
            if (!state.path("finished").asBoolean(false)) {
                boolean watching = Files.exists(ws.watchPid()) && ProcessHandle.of(Long.parseLong(Files.readString(ws.watchPid()).strip()))
                        .map(ProcessHandle::isAlive).orElse(false);
                check("watcher", watching ? "ok" : "warn", watching ? "records saves" : "not running: saves are recorded only at "
                        + "each prt run, note, commit and finish", watching ? null : "prt watch & (or restart the session)");
            }
            ObjectNode queued = Uploader.queued(ws);
            String stuck = StatusCommand.stuck(j, queued);
            if (stuck != null && j.ok()) {
                check("upload", "fail", stuck, "see the refused event above; prt status --json has the server's words");
            } else if (queued.has("last_error")) {
                check("upload", "warn", queued.path("events_queued").asLong() + " events queued; last error: "
                        + queued.get("last_error").asText(), "prt sync retries now");
            } else {
                check("upload", "ok", queued.path("events_queued").asLong() + " events queued", null);
            }
        }

        if (json) {
            ObjectNode n = StrictJson.mapper().createObjectNode();
            n.put("ok", !failed);
            n.set("checks", checks);
            out.println(n.toPrettyString());
        } else {
            for (JsonNode c : checks) {
                out.printf("%-5s %-8s %s%n", c.get("status").asText().toUpperCase(), c.get("check").asText(), c.get("detail").asText());
                if (c.hasNonNull("fix")) {
                    out.printf("               → %s%n", c.get("fix").asText());
                }
            }
        }
        return failed ? ExitCodes.INVALID : ExitCodes.OK;
    }

    private void check(String name, String status, String detail, String fix) {
        ObjectNode c = checks.addObject();
        c.put("check", name);
        c.put("status", status);
        c.put("detail", detail);
        if (fix != null) {
            c.put("fix", fix);
        }
        failed |= status.equals("fail");
    }
}
