package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** The gateway's API as the recorder uses it. Failures say whether a retry can help. */
public final class GatewayClient {
    /** A call that did not succeed; {@code retryable} for network trouble, 429 and 5xx. */
    public static final class CallFailed extends IOException {
        private static final long serialVersionUID = 1L;
        public final int status;
        public final boolean retryable;
        /** The server's problem document, when it sent one. */
        public final transient JsonNode problem;

        CallFailed(String message, int status, boolean retryable, Throwable cause) {
            this(message, status, retryable, cause, null);
        }

        CallFailed(String message, int status, boolean retryable, Throwable cause, JsonNode problem) {
            super(message, cause);
            this.status = status;
            this.retryable = retryable;
            this.problem = problem;
        }
    }

    private final String base;
    private final HttpClient http;

    public GatewayClient(String server) {
        this.base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    public String base() {
        return base;
    }

    public record Response(int status, JsonNode body) {
    }

    public Response postJson(String path, String token, String json, String idempotencyKey) throws CallFailed {
        HttpRequest.Builder b = request(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b.build(), path);
    }

    /** A POST without a body (and so without a Content-Type), as the replaced system's clients complete a trace. */
    public Response postEmpty(String path, String token) throws CallFailed {
        return send(request(path, token).POST(HttpRequest.BodyPublishers.noBody()).build(), path);
    }

    public Response putFile(String path, String token, Path file) throws CallFailed {
        try {
            return send(request(path, token).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), path);
        } catch (java.io.FileNotFoundException e) {
            throw new CallFailed("artifact file is gone: " + file, 0, false, e);
        }
    }

    public Response get(String path, String token) throws CallFailed {
        return send(request(path, token).GET().build(), path);
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Response send(HttpRequest request, String path) throws CallFailed {
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CallFailed(base + " is not reachable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", 0, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted", 0, true, e);
        }
        JsonNode body;
        try {
            body = r.body() == null || r.body().isBlank() ? StrictJson.mapper().createObjectNode() : StrictJson.parse(r.body());
        } catch (RuntimeException e) {
            body = StrictJson.mapper().createObjectNode().put("detail", r.body());
        }
        if (r.statusCode() >= 200 && r.statusCode() < 300) {
            return new Response(r.statusCode(), body);
        }
        boolean retryable = r.statusCode() == 429 || r.statusCode() == 408 || r.statusCode() >= 500;
        String detail = body.path("detail").asText(r.body());
        if (body.has("errors")) {
            detail += " " + body.get("errors");
        }
        throw new CallFailed(request.method() + " " + path + " → " + r.statusCode() + ": " + detail, r.statusCode(), retryable, null, body);
    }
}
