package dev.prtelemetry.recorder.session;

import static dev.prtelemetry.recorder.session.SessionProcesses.prt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uploader's delivery rules, against a scripted HTTP server that answers as the gateway
 * does (the real gateway is RecorderITCase's, in local-stack): a chunk that failed is re-sent
 * byte for byte under the same idempotency key; an expired upload token is refreshed; a
 * refusal no retry can fix stops the upload and is kept for prt status.
 */
class UploaderTest {
    @TempDir
    Path tmp;
    HttpServer server;
    final List<String[]> calls = Collections.synchronizedList(new ArrayList<>()); // method path auth key body
    final AtomicInteger ingests = new AtomicInteger();
    volatile int permanentStatus;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    String start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void handle(HttpExchange x) throws java.io.IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = x.getRequestURI().getPath();
        calls.add(new String[] {x.getRequestMethod(), path, x.getRequestHeaders().getFirst("Authorization"),
                x.getRequestHeaders().getFirst("Idempotency-Key"), body});
        int status;
        String out;
        if (path.equals("/v1/traces")) {
            status = 201;
            out = "{\"trace_id\":\"" + StrictJson.parse(body).get("trace_id").asText() + "\",\"upload_token\":\"t1\",\"expires_at\":\"x\"}";
        } else if (path.endsWith("/token")) {
            status = 200;
            out = "{\"upload_token\":\"t2\"}";
        } else if (path.endsWith("events:ingest")) {
            int n = ingests.incrementAndGet();
            status = permanentStatus != 0 ? permanentStatus : n == 1 ? 503 : n == 2 ? 401 : 202;
            out = status == 202 ? "{}" : status == 422
                    ? "{\"detail\":\"1 violation(s) of the chunk schema; nothing was stored\",\"errors\":[{\"pointer\":\"/events/0/payload/text\","
                    + "\"detail\":\"must be at most 8192 characters\",\"keyword\":\"maxLength\"}]}"
                    : "{\"detail\":\"status " + status + "\"}";
        } else {
            status = path.contains("/artifacts/") ? 201 : 202;
            out = "{}";
        }
        byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Test
    void aFailedChunkIsResentIdenticallyAndAnExpiredTokenIsRefreshed() throws Exception {
        String url = start();
        Path repo = SessionProcesses.repo(tmp.resolve("repo"));
        Map<String, String> env = Map.of("PRT_URL", url, "PRT_TOKEN", "participant-token", "PRT_BACKGROUND", "0",
                "PRT_CONFIG_HOME", tmp.resolve("config").toString());
        assertThat(prt(repo, env, null, "start", "--task", "T", "--title", "t", "--participant", "dev", "--no-watch").exit()).isZero();
        for (String text : List.of("one", "two", "three")) {
            assertThat(prt(repo, env, null, "note", "plan", text).exit()).isZero();
        }
        Workspace ws = new Workspace(repo);
        Credentials creds = Credentials.resolve(null, null, ws, env);
        Uploader.Step step = new Uploader(ws, creds, new PrintStream(new ByteArrayOutputStream())).runUntil(0,
                System.currentTimeMillis() + 30_000);
        assertThat(step).isEqualTo(Uploader.Step.IDLE);

        List<String[]> chunks = calls.stream().filter(c -> c[1].endsWith("events:ingest")).toList();
        assertThat(chunks).hasSize(3);
        assertThat(chunks).extracting(c -> c[4]).containsOnly(chunks.get(0)[4]);       // same bytes each time
        assertThat(chunks).extracting(c -> c[3]).containsOnly(chunks.get(0)[3]);       // same idempotency key
        assertThat(chunks).extracting(c -> c[2]).containsExactly("Bearer t1", "Bearer t1", "Bearer t2");
        assertThat(calls.stream().filter(c -> c[1].equals("/v1/traces")).findFirst().orElseThrow()[2])
                .isEqualTo("Bearer participant-token");
        JsonNode chunk = StrictJson.parse(chunks.get(0)[4]);
        assertThat(chunk.get("chunk_seq").asInt()).isZero();
        assertThat(chunk.get("events")).hasSize(3);

        // the next chunk carries only what came after, under the next chunk_seq
        assertThat(prt(repo, env, null, "note", "plan", "four").exit()).isZero();
        new Uploader(ws, creds, new PrintStream(new ByteArrayOutputStream())).runUntil(0, System.currentTimeMillis() + 30_000);
        JsonNode next = StrictJson.parse(calls.stream().filter(c -> c[1].endsWith("events:ingest")).reduce((a, b) -> b).orElseThrow()[4]);
        assertThat(next.get("chunk_seq").asInt()).isEqualTo(1);
        assertThat(next.get("events")).hasSize(1);
        assertThat(next.at("/events/0/seq").asInt()).isEqualTo(3);
    }

    @Test
    void aRefusedChunkStopsTheUploadAndIsReported() throws Exception {
        String url = start();
        permanentStatus = 422;
        Path repo = SessionProcesses.repo(tmp.resolve("repo"));
        Map<String, String> env = Map.of("PRT_URL", url, "PRT_TOKEN", "participant-token", "PRT_BACKGROUND", "0",
                "PRT_CONFIG_HOME", tmp.resolve("config").toString());
        assertThat(prt(repo, env, null, "start", "--task", "T", "--title", "t", "--participant", "dev", "--no-watch").exit()).isZero();
        assertThat(prt(repo, env, null, "note", "plan", "one").exit()).isZero();
        var sync = prt(repo, env, null, "sync", "--wait", "20");
        assertThat(sync.exit()).isEqualTo(1);
        assertThat(sync.err()).contains("upload stopped").contains("422");
        var status = StrictJson.parse(prt(repo, env, null, "status", "--json").out());
        assertThat(status.at("/upload/events_queued").asInt()).isEqualTo(1);
        assertThat(status.at("/upload/last_error").asText()).contains("422");
        assertThat(ingests.get()).isEqualTo(1); // not retried
        // prt status names the refused event and the server's reason, and says the session is stuck
        assertThat(status.at("/upload/refused/event_id").asText()).isEqualTo("ev-0");
        assertThat(status.at("/upload/refused/pointer").asText()).isEqualTo("/payload/text");
        assertThat(status.get("stuck").asText()).contains("ev-0 (rationale_note)").contains("must be at most 8192 characters");
        var human = prt(repo, env, null, "status");
        assertThat(human.exit()).isEqualTo(1);
        assertThat(human.out()).contains("STUCK").contains("ev-0").contains("/payload/text");
    }
}
