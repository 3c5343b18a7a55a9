package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * Where the server and the credential come from, first match wins: {@code --server}/{@code --token},
 * then {@code PRT_URL}/{@code PRT_TOKEN}, then what {@code prt start} kept for the session, then what
 * {@code prt login} saved ({@code $PRT_CONFIG_HOME}, else {@code $XDG_CONFIG_HOME/prt}, else
 * {@code ~/.config/prt}, file {@code login.json}, mode 600). The server defaults to the local stack.
 */
public record Credentials(String server, String token) {
    public static final String LOCAL_SERVER = "http://127.0.0.1:8000";

    public static Credentials resolve(String serverOption, String tokenOption, Workspace ws, Map<String, String> env)
            throws IOException {
        JsonNode session = ws != null && Files.exists(ws.credentials())
                ? StrictJson.parse(Files.readAllBytes(ws.credentials())) : StrictJson.mapper().createObjectNode();
        JsonNode login = loginFile(env) != null && Files.exists(loginFile(env))
                ? StrictJson.parse(Files.readAllBytes(loginFile(env))) : StrictJson.mapper().createObjectNode();
        String server = first(serverOption, env.get("PRT_URL"), text(session, "server"), text(login, "server"), LOCAL_SERVER);
        String loginToken = server.equals(text(login, "server")) ? text(login, "token") : null;
        String token = first(tokenOption, env.get("PRT_TOKEN"), text(session, "token"), loginToken, null);
        return new Credentials(server, token);
    }

    /** Keeps the server and token a session was started with, owner-only, under .prt/. */
    public void saveFor(Workspace ws) throws IOException {
        ObjectNode n = StrictJson.mapper().createObjectNode().put("server", server).put("token", token);
        Files2.writeAtomically(ws.credentials(), StrictJson.bytes(n));
        Files2.ownerOnly(ws.credentials());
    }

    public static Path loginFile(Map<String, String> env) {
        if (env.get("PRT_CONFIG_HOME") != null) {
            return Path.of(env.get("PRT_CONFIG_HOME"), "login.json");
        }
        if (env.get("XDG_CONFIG_HOME") != null) {
            return Path.of(env.get("XDG_CONFIG_HOME"), "prt", "login.json");
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return home == null ? null : Path.of(home, ".config", "prt", "login.json");
    }

    public static void saveLogin(Map<String, String> env, String server, String token) throws IOException {
        Path file = loginFile(env);
        Files.createDirectories(file.getParent());
        Files2.writeAtomically(file, StrictJson.bytes(StrictJson.mapper().createObjectNode().put("server", server)
                .put("token", token)));
        Files2.ownerOnly(file);
    }

    /** The participant a participant token names (read from the JWT, not verified: the server does that). */
    public static String participantOf(String token) {
        if (token == null || token.split("\\.").length != 3) {
            return null;
        }
        try {
            JsonNode claims = StrictJson.parse(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                    StandardCharsets.UTF_8));
            JsonNode aud = claims.path("aud");
            boolean participant = aud.isArray() ? aud.toString().contains("\"participant\"") : "participant".equals(aud.asText());
            return participant ? claims.path("sub").asText(null) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
