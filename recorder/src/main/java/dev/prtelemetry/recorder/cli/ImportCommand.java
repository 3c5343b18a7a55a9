package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.GatewayClient;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.v0.V0Events;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code prt import v0 DIR}: the traces the replaced system stored (its trace documents, top-level keys
 * {@code trace_version, trace_id, session, task, repo, environment, events, artifacts, metrics, qa,
 * integrity}) uploaded through the same path as a live client of that system: create (no consent member:
 * the deployment's declared consent applies), its events as format v0 chunks — each event's bytes as the
 * document holds them — and a completion without a body. The gateway, assembly, QA and stores then treat
 * them as any trace: translated, chained by the server, verified, judged. Idempotent: the trace keeps its
 * id and each chunk has a fixed Idempotency-Key, so running it again re-sends nothing new.
 */
@Command(name = "import", sortOptions = false, footer = {"", "Examples:",
        "  ./prt import v0 examples/v0-import                      # the local stack, its researcher token",
        "  prt import v0 old-traces/ --server http://gateway:8000 --researcher-token-file token.txt --wait 120"},
        description = "Uploads the replaced system's stored traces (format v0 trace documents, one JSON file each) through the"
                + " ingestion API, as that system's clients would: the gateway must record consent outside the API"
                + " (PRT_DEPLOYMENT_CONSENT_TEXT_VERSION and _SCOPES). Prints each trace's outcome; exits 1 if any was not imported.")
final class ImportCommand implements Callable<Integer> {
    static final int CHUNK_EVENTS = 500;
    private static final String[] REQUIRED = {"trace_id", "session", "task", "repo", "events"};

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FORMAT", description = "the format of the documents: v0 (the replaced system's)")
    String format;

    @Parameters(index = "1", paramLabel = "DIR", description = "a folder of trace documents (*.json), or one document")
    Path dir;

    @Option(names = "--server", paramLabel = "URL", description = "the gateway (default: $PRT_URL, else http://127.0.0.1:8000)")
    String server;

    @Option(names = "--researcher-token-file", paramLabel = "FILE",
            description = "the researcher token (default: $PRT_RESEARCHER_TOKEN; with ./prt and no --server, the local stack's)")
    Path researcherTokenFile;

    @Option(names = "--wait", defaultValue = "60", paramLabel = "SECONDS",
            description = "wait this long for each trace to be assembled and print its state (0: do not wait; default: ${DEFAULT-VALUE})")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!"v0".equals(format)) {
            err.println("prt import: the only format known is v0 (the replaced system's trace documents), not '" + format + "'");
            return ExitCodes.USAGE;
        }
        String token = researcherToken();
        if (token == null) {
            err.println("prt import: give the researcher token: --researcher-token-file FILE or PRT_RESEARCHER_TOKEN");
            return ExitCodes.USAGE;
        }
        List<Path> files = documents(dir);
        if (files.isEmpty()) {
            err.println("prt import: no *.json documents in " + dir);
            return ExitCodes.USAGE;
        }
        GatewayClient gateway = new GatewayClient(server != null ? server
                : System.getenv().getOrDefault("PRT_URL", "http://127.0.0.1:8000"));
        List<String> imported = new ArrayList<>();
        int failed = 0;
        for (Path file : files) {
            try {
                imported.add(importOne(gateway, token, file, out));
            } catch (Refused | GatewayClient.CallFailed e) {
                err.println("prt import: " + file + ": " + e.getMessage() + " — not imported");
                failed++;
            }
        }
        if (waitSeconds > 0) {
            for (String traceId : imported) {
                out.println(outcome(gateway, token, traceId));
            }
        }
        out.println("imported " + imported.size() + " of " + files.size() + " document(s)");
        return failed == 0 ? ExitCodes.OK : ExitCodes.INVALID;
    }

    /** A document this format cannot bring in, and why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private String researcherToken() throws IOException {
        if (researcherTokenFile != null) {
            return Files.readString(researcherTokenFile).strip();
        }
        String env = System.getenv("PRT_RESEARCHER_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        // ./prt against the local stack: the token the stack wrote for its user
        String data = System.getenv("PRT_LOCAL_STACK_DATA");
        Path local = data == null ? null : Path.of(data, "researcher.token");
        return local != null && Files.isReadable(local) && server == null && System.getenv("PRT_URL") == null
                ? Files.readString(local).strip() : null;
    }

    static List<Path> documents(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) {
            return List.of(dir);
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /** Uploads one document; its trace id. */
    String importOne(GatewayClient gateway, String token, Path file, PrintWriter out) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        JsonNode doc;
        try {
            doc = StrictJson.parse(bytes);
        } catch (RuntimeException e) {
            throw new Refused("not JSON: " + e.getMessage());
        }
        ObjectNode create = createRequest(doc);
        String traceId = create.get("trace_id").asText();
        List<String> events = V0Events.elementTexts(bytes, "events");
        checkSeqs(doc.get("events"));
        GatewayClient.Response created = withRetries(() -> gateway.postJson("/v1/traces", token, create.toString(), null));
        String upload = created.body().path("upload_token").asText();
        int chunks = 0;
        for (int from = 0; from < events.size(); from += CHUNK_EVENTS) {
            List<String> part = events.subList(from, Math.min(events.size(), from + CHUNK_EVENTS));
            // the events' bytes as the document holds them: the assembly keeps each as its v0_event
            String chunk = "{\"chunk_id\":\"v0-import-" + chunks + "\",\"chunk_seq\":" + chunks + ",\"events\":["
                    + String.join(",", part) + "]}";
            String key = "v0-import:" + traceId + ":" + chunks;
            withRetries(() -> gateway.postJson("/v1/traces/" + traceId + "/events:ingest", upload, chunk, key));
            chunks++;
        }
        withRetries(() -> gateway.postEmpty("/v1/traces/" + traceId + "/complete", upload));
        out.println("uploaded " + traceId + " (" + file.getFileName() + "): " + events.size() + " events in " + chunks
                + " chunk(s)" + (created.status() == 200 ? " (the trace existed: chunks re-sent are dropped as duplicates)" : ""));
        return traceId;
    }

    /** The create request a client of the replaced system would have sent for this document (no consent member). */
    static ObjectNode createRequest(JsonNode doc) throws Refused {
        for (String key : REQUIRED) {
            if (!doc.has(key)) {
                throw new Refused("not a v0 trace document: no '" + key + "' (its top-level keys are trace_version, trace_id,"
                        + " session, task, repo, environment, events, artifacts, metrics, qa, integrity)");
            }
        }
        JsonNode consent = doc.path("session").path("consent");
        if (consent.isBoolean() && !consent.booleanValue() || consent.isObject() && !consent.isEmpty() && allFalse(consent)) {
            throw new Refused("its session.consent grants nothing (" + consent + ")");
        }
        ObjectNode c = StrictJson.mapper().createObjectNode();
        c.set("trace_id", doc.get("trace_id"));
        c.set("participant_id", doc.path("session").path("participant_id"));
        c.set("task_id", doc.path("task").path("id"));
        c.set("task_title", doc.path("task").path("title"));
        if (doc.path("task").path("description").isTextual()) {
            c.set("task_description", doc.path("task").get("description"));
        }
        c.set("repo_origin", doc.path("repo").path("origin"));
        c.set("start_commit", doc.path("repo").path("start_commit"));
        if (doc.path("environment").path("os").isTextual()) {
            c.putObject("environment").set("os", doc.path("environment").get("os"));
        }
        Long startedMs = millis(doc.path("created_at").asText(null));
        if (startedMs != null) {
            if (startedMs % 1000 == 0) {
                c.put("started_at", startedMs / 1000); // whole seconds as an integer: 1759579200, not 1.7595792E9
            } else {
                c.put("started_at", startedMs / 1000.0);
            }
        }
        String[][] from = {{"participant_id", "session.participant_id"}, {"task_id", "task.id"}, {"task_title", "task.title"},
                {"repo_origin", "repo.origin"}, {"start_commit", "repo.start_commit"}};
        for (String[] m : from) {
            if (!c.path(m[0]).isTextual()) {
                throw new Refused("not a v0 trace document: " + m[1] + " is missing or not a string");
            }
        }
        return c;
    }

    private static boolean allFalse(JsonNode consent) {
        for (JsonNode v : consent) {
            if (!v.isBoolean() || v.booleanValue()) {
                return false;
            }
        }
        return true;
    }

    /** Format v1 chains every seq from 0: a document with a gap cannot be imported without changing it. */
    static void checkSeqs(JsonNode events) throws Refused {
        if (!events.isArray()) {
            throw new Refused("'events' is not a list");
        }
        for (int i = 0; i < events.size(); i++) {
            JsonNode seq = events.get(i).path("seq");
            if (!seq.canConvertToExactIntegral() || seq.longValue() != i) {
                throw new Refused("events[" + i + "] has seq " + seq + ", not " + i + ": a trace's seqs are dense from 0"
                        + " (nothing of it was uploaded)");
            }
        }
    }

    /** An ISO-8601 time as that system wrote it (with an offset, or naive UTC) in epoch milliseconds; null if it is none. */
    static Long millis(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(iso + "Z").toEpochMilli(); // a naive timestamp, as that system wrote UTC
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    interface Call {
        GatewayClient.Response run() throws GatewayClient.CallFailed;
    }

    /** 429, 5xx and lost connections are retried (0.5 → 5 s); the same request, so the same Idempotency-Key. */
    static GatewayClient.Response withRetries(Call call) throws GatewayClient.CallFailed, InterruptedException {
        long backoff = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (GatewayClient.CallFailed e) {
                if (!e.retryable || attempt == 8) {
                    throw e;
                }
                Thread.sleep(backoff);
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }

    /** Waits for the trace to end; one line: its state, verdict and chain. */
    String outcome(GatewayClient gateway, String token, String traceId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitSeconds * 1000L;
        String last = "not seen yet";
        while (System.currentTimeMillis() < deadline) {
            try {
                JsonNode t = gateway.get("/v1/traces/" + traceId + "?events=false", token).body();
                String state = t.path("state").asText();
                last = state;
                if (state.equals("complete") || state.equals("rejected") || state.equals("abandoned")) {
                    JsonNode i = t.path("integrity");
                    return String.format(Locale.ROOT, "%-40s %s verdict=%s events=%d chain=%s%s", traceId, state,
                            i.path("verdict").asText(), i.path("event_count").asLong(), i.path("chain").asText("?"),
                            i.path("reasons").isEmpty() ? "" : " " + i.path("reasons"));
                }
            } catch (GatewayClient.CallFailed e) {
                last = e.getMessage();
            }
            Thread.sleep(500);
        }
        return String.format(Locale.ROOT, "%-40s not assembled within %d s (%s)", traceId, waitSeconds, last);
    }
}
