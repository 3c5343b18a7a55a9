package dev.prtelemetry.schemas.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A participant's consent as the gateway records it (DESIGN.md, "Privacy"): the scopes granted,
 * the version of the consent text shown, and when it was granted (epoch seconds). The same
 * value travels in the trace's header record, its claim check and its document, and is the
 * row of {@code trace_consents}; {@link Scope} is the one list of scopes every module accepts.
 */
public record Consent(List<Scope> scopes, String textVersion, double grantedAt, String source) {
    /** Granted by the participant in the create request. */
    public static final String PARTICIPANT = "participant";
    /**
     * Recorded outside the API by the deployment, which declared the text version and scopes for clients
     * that send no consent (the replaced system's clients, format v0 imports).
     */
    public static final String DEPLOYMENT = "deployment";

    public Consent(List<Scope> scopes, String textVersion, double grantedAt) {
        this(scopes, textVersion, grantedAt, PARTICIPANT);
    }

    /** What a trace may be used for. */
    public enum Scope {
        TRAINING, EVALUATION, PUBLICATION;

        /** The wire name ({@code training}, …). */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Scope> of(String wire) {
            for (Scope s : values()) {
                if (s.wire().equals(wire)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }

        /** "training, evaluation, publication": for messages. */
        public static String listed() {
            return String.join(", ", List.of(values()).stream().map(Scope::wire).toList());
        }
    }

    public Consent {
        scopes = List.copyOf(scopes);
        if (!PARTICIPANT.equals(source) && !DEPLOYMENT.equals(source)) {
            throw new IllegalArgumentException("consent source is participant or deployment, not " + source);
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a consent grants at least one scope");
        }
    }

    public List<String> scopeNames() {
        return scopes.stream().map(Scope::wire).toList();
    }

    public boolean grants(Scope scope) {
        return scopes.contains(scope);
    }

    /** The recorded form: {@code {"granted": true, "scopes": […], "text_version": …, "granted_at": …[, "source": "deployment"]}}. */
    public ObjectNode toJson() {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.put("granted", true);
        var array = out.putArray("scopes");
        scopes.forEach(s -> array.add(s.wire()));
        out.put("text_version", textVersion);
        out.put("granted_at", grantedAt);
        if (DEPLOYMENT.equals(source)) {
            out.put("source", source); // absent = participant, as on every consent recorded before v1.2
        }
        return out;
    }

    /** Reads the recorded form; IllegalArgumentException when it is not one (an unknown scope, no scopes). */
    public static Consent of(JsonNode json) {
        if (json == null || !json.isObject() || !json.path("scopes").isArray() || !json.path("text_version").isTextual()
                || !json.path("granted_at").isNumber()) {
            throw new IllegalArgumentException("not a recorded consent: " + json);
        }
        List<Scope> scopes = new ArrayList<>();
        for (JsonNode s : json.get("scopes")) {
            scopes.add(Scope.of(s.asText()).orElseThrow(() -> new IllegalArgumentException("unknown consent scope " + s)));
        }
        String source = json.path("source").asText(PARTICIPANT);
        return new Consent(scopes, json.get("text_version").asText(), json.get("granted_at").asDouble(), source);
    }
}
