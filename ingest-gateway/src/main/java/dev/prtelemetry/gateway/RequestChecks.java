package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.v0.V0Events;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import dev.prtelemetry.schemas.validation.Violation;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import java.util.List;

/** What every write request goes through before anything is written: credentials, type, size, JSON, schema. */
final class RequestChecks {
    private RequestChecks() {
    }

    static String bearer(HttpRequest<?> request) {
        String auth = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() <= 7) {
            throw Problem.unauthorized("send 'Authorization: Bearer <token>'");
        }
        return auth.substring(7).strip();
    }

    static void requireJson(HttpRequest<?> request) {
        String type = request.getHeaders().get(HttpHeaders.CONTENT_TYPE);
        if (type == null) {
            return; // no type declared (the replaced system's README sends its chunks so): the body is parsed strictly as JSON
        }
        String bare = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase();
        if (!bare.equals("application/json")) {
            throw Problem.unsupportedMediaType("send the body as application/json, not '" + (type == null ? "nothing" : type) + "'");
        }
    }

    static void requireSize(byte[] body, long max) {
        if (body != null && body.length > max) {
            throw Problem.tooLarge("the body is " + body.length + " bytes; this endpoint takes at most " + max);
        }
    }

    /** Parses and validates a JSON body against a schema; a {@link Problem} with every violation otherwise. */
    static JsonNode document(byte[] body, SchemaName schema) {
        return validated(parse(body, schema), schema);
    }

    /**
     * A chunk of events: v1 ({@code chunk.schema.json}) or, when its first event has neither payload nor hash,
     * the replaced system's format v0 ({@code v0-chunk.schema.json}); every event of a chunk is in one format.
     */
    static JsonNode chunk(byte[] body) {
        JsonNode json = parse(body, SchemaName.CHUNK);
        return validated(json, V0Events.isV0Chunk(json) ? SchemaName.V0_CHUNK : SchemaName.CHUNK);
    }

    private static JsonNode parse(byte[] body, SchemaName schema) {
        if (body == null || body.length == 0) {
            throw Problem.badRequest("empty-body", "the request has no body; send a " + schema.baseName() + " document");
        }
        try {
            return StrictJson.parse(body);
        } catch (CanonicalizationException e) {
            // "not accepted: …" is well-formed JSON that other readers would read differently (encoding, numbers, surrogates)
            String m = e.getMessage();
            throw Problem.badRequest(m.contains("UTF-8") || m.contains("UTF-16") ? "not-utf8"
                    : m.startsWith("not accepted") ? "not-interoperable" : "malformed-json", m + "; nothing was stored");
        }
    }

    private static JsonNode validated(JsonNode json, SchemaName schema) {
        List<Violation> violations = TraceSchemas.get().validate(schema, json);
        if (!violations.isEmpty()) {
            throw Problem.invalid(violations.size() + " violation(s) of the " + schema.baseName() + " schema; nothing was stored",
                    violations);
        }
        return json;
    }
}
