package dev.prtelemetry.qa.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Docker sandbox asks of the Engine API, checked field by field against a local HTTP
 * server that speaks the parts of that API a run uses (there is no Docker engine on this
 * machine): create with every limit and flag, start, wait, logs, inspect, and removal —
 * also after a timeout, when the container is killed first.
 */
class DockerSandboxTest {
    HttpServer server;
    final List<String[]> requests = Collections.synchronizedList(new ArrayList<>()); // method, path+query, body
    volatile long waitDelayMs;
    volatile int exitCode;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    void handle(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = x.getRequestURI().getPath().replaceFirst("^/v1\\.\\d+", "");
        String query = x.getRequestURI().getQuery();
        requests.add(new String[] {x.getRequestMethod(), path + (query == null ? "" : "?" + query), body});
        switch (x.getRequestMethod() + " " + path) {
            case "GET /_ping" -> send(x, 200, "text/plain", "OK".getBytes(StandardCharsets.UTF_8));
            case "POST /containers/create" -> send(x, 201, "application/json", "{\"Id\":\"c0ffee\",\"Warnings\":[]}".getBytes(StandardCharsets.UTF_8));
            case "POST /containers/c0ffee/start", "POST /containers/c0ffee/kill", "DELETE /containers/c0ffee" -> {
                x.sendResponseHeaders(204, -1);
                x.close();
            }
            case "POST /containers/c0ffee/wait" -> {
                try {
                    Thread.sleep(waitDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                send(x, 200, "application/json", ("{\"StatusCode\":" + exitCode + "}").getBytes(StandardCharsets.UTF_8));
            }
            case "GET /containers/c0ffee/logs" -> send(x, 200, "application/vnd.docker.multiplexed-stream",
                    frames("1 passed\n", "a warning\n"));
            case "GET /containers/c0ffee/json" -> send(x, 200, "application/json",
                    "{\"Id\":\"c0ffee\",\"State\":{\"Status\":\"exited\",\"OOMKilled\":false,\"ExitCode\":0}}".getBytes(StandardCharsets.UTF_8));
            default -> send(x, 404, "application/json", "{\"message\":\"no such endpoint\"}".getBytes(StandardCharsets.UTF_8));
        }
    }

    static byte[] frames(String stdout, String stderr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object[] f : new Object[][] {{1, stdout}, {2, stderr}}) {
            byte[] payload = ((String) f[1]).getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(8).put((byte) (int) (Integer) f[0]).put((byte) 0).put((byte) 0).put((byte) 0)
                    .putInt(payload.length).array());
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().add("Content-Type", type);
        x.getResponseHeaders().add("Api-Version", "1.44");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    DockerSandbox sandbox() {
        return new DockerSandbox(DockerSandbox.client("tcp://127.0.0.1:" + server.getAddress().getPort()), "python:3.11-slim",
                "65534:65534");
    }

    @Test
    void createsTheContainerWithEveryLimitAndFlagThenRemovesIt() throws Exception {
        Path work = Files.createTempDirectory("ws");
        Files.writeString(work.resolve("test_x.py"), "def test_x(): pass\n");
        Path out = Files.createTempDirectory("out");
        Limits limits = Limits.defaults();
        Sandbox.Result r = sandbox().run(work, List.of("python3", "-m", "pytest", "--junitxml=/tmp/out/report.xml"),
                Map.of("EXTRA", "1"), limits, out);
        assertThat(r.exitCode()).isZero();
        assertThat(r.timedOut()).isFalse();
        assertThat(r.output()).contains("1 passed").contains("a warning");

        String[] create = requests.stream().filter(q -> q[1].startsWith("/containers/create")).findFirst().orElseThrow();
        assertThat(create[0]).isEqualTo("POST");
        assertThat(create[1]).contains("name=prt-sandbox-");
        JsonNode c = StrictJson.parse(create[2]);
        assertThat(c.get("Image").asText()).isEqualTo("python:3.11-slim");
        assertThat(c.get("User").asText()).isEqualTo("65534:65534");
        assertThat(c.get("NetworkDisabled").asBoolean()).isTrue();
        assertThat(c.get("WorkingDir").asText()).isEqualTo(Sandbox.WORK);
        assertThat(c.get("Cmd").toString()).isEqualTo("[\"python3\",\"-m\",\"pytest\",\"--junitxml=/tmp/out/report.xml\"]");
        assertThat(c.get("Env").toString()).contains("TZ=UTC").contains("PYTHONHASHSEED=0").contains("LC_ALL=C.UTF-8").contains("EXTRA=1");
        JsonNode h = c.get("HostConfig");
        assertThat(h.get("NetworkMode").asText()).isEqualTo("none");
        assertThat(h.get("ReadonlyRootfs").asBoolean()).isTrue();
        assertThat(h.get("CapDrop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(h.get("SecurityOpt").toString()).contains("no-new-privileges");
        assertThat(h.get("Memory").asLong()).isEqualTo(limits.memoryBytes());
        assertThat(h.get("MemorySwap").asLong()).isEqualTo(limits.memoryBytes()); // no swap beyond the limit
        assertThat(h.get("NanoCpus").asLong()).isEqualTo(1_000_000_000L);
        assertThat(h.get("PidsLimit").asLong()).isEqualTo(limits.pids());
        assertThat(h.get("Ulimits").toString()).contains("\"Name\":\"fsize\"").contains("\"Hard\":" + limits.fileSizeBytes())
                .contains("\"Name\":\"cpu\"");
        assertThat(h.get("Tmpfs").get("/tmp").asText()).contains("size=" + limits.tmpBytes());
        assertThat(h.get("Binds").toString()).contains(":" + Sandbox.WORK).contains(out.toAbsolutePath() + ":" + Sandbox.OUT);
        assertThat(h.get("Binds").toString()).doesNotContain(work.toAbsolutePath() + ":"); // a fresh copy, never the original

        assertThat(requests).extracting(q -> q[0] + " " + q[1].replaceAll("\\?.*", "")).containsSubsequence(
                "POST /containers/create", "POST /containers/c0ffee/start", "POST /containers/c0ffee/wait",
                "GET /containers/c0ffee/logs", "DELETE /containers/c0ffee");
        assertThat(requests.stream().filter(q -> q[0].equals("DELETE")).findFirst().orElseThrow()[1]).contains("force=true");
    }

    @Test
    void aRunPastTheTimeoutIsKilledAndRemoved() throws Exception {
        waitDelayMs = 5_000;
        Path work = Files.createTempDirectory("ws");
        Path out = Files.createTempDirectory("out");
        Sandbox.Result r = sandbox().run(work, List.of("sleep", "600"), Map.of(), Limits.defaults().withWallTimeout(Duration.ofSeconds(1)), out);
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isNull();
        assertThat(requests).extracting(q -> q[0] + " " + q[1].replaceAll("\\?.*", ""))
                .contains("POST /containers/c0ffee/kill", "DELETE /containers/c0ffee");
    }

    @Test
    void noEngineMeansNoDockerSandbox() throws Exception {
        int dead;
        try (var s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        assertThat(DockerSandbox.detect("tcp://127.0.0.1:" + dead, "python:3.11-slim")).isNull();
        assertThat(DockerSandbox.detect("tcp://127.0.0.1:" + server.getAddress().getPort(), "python:3.11-slim")).isNotNull();
    }
}
