package dev.prtelemetry.schemas.v0;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.EventHasher;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.model.GitIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Trace format v0 — the events of the system PR Telemetry replaces (flat fields, no payload, no
 * hashes; {@code v0-event.schema.json}) — and their translation into v1 events
 * ({@code v0-translated.schema.json}). The translation is a function of the original text alone, so
 * anyone can repeat it: {@link #translate} of an event's {@code v0_event} gives back the event without
 * {@code prev_hash}, {@code hash} and {@code ts_server_s} ({@link #checkTranslation}).
 *
 * <p>Rules: a v0 value goes into the payload under its v1 name only when it means what the v1 field
 * means and satisfies its constraints; otherwise it stays in {@code v0_event} alone. Nothing v0 did
 * not record is invented (no duration, no exit code of a test run, no errors/skipped counts).
 */
public final class V0Events {
    /** The member holding the original v0 event's text. */
    public static final String MEMBER = "v0_event";
    private static final String[] NOTE_KINDS = {"plan", "hypothesis", "observation", "decision", "next_step"};
    private static final JsonFactory FACTORY = new JsonFactory();

    private V0Events() {
    }

    /** A v0 event: an object with neither a payload nor a hash (v1 events carry both). */
    public static boolean isV0(JsonNode event) {
        return event != null && event.isObject() && !event.has("payload") && !event.has("hash") && !event.has("prev_hash");
    }

    /** A chunk of v0 events (decided by its first event; the schema then holds every event to the same format). */
    public static boolean isV0Chunk(JsonNode chunk) {
        JsonNode events = chunk.path("events");
        return events.isArray() && !events.isEmpty() && isV0(events.get(0));
    }

    /** Translated from v0 (it carries its original's text). */
    public static boolean isTranslated(JsonNode event) {
        return event != null && event.has(MEMBER);
    }

    /**
     * The v1 event for a v0 event's original text: envelope, payload, and the text itself in
     * {@link #MEMBER}; without {@code prev_hash} and {@code hash}, which the chain adds.
     */
    public static ObjectNode translate(String original) {
        JsonNode v0 = StrictJson.parseAccepted(original);
        ObjectNode e = StrictJson.mapper().createObjectNode();
        e.set("id", v0.get("id"));
        e.set("seq", v0.get("seq"));
        e.set("ts_client_s", v0.get("ts_client_s"));
        String type = v0.path("type").asText();
        e.put("type", type);
        ObjectNode p = e.putObject("payload");
        switch (type) {
            case "file_edit" -> {
                p.set("path", v0.get("file_path"));
                p.set("diff", v0.get("diff_unified"));
                long[] counted = countLines(v0.path("diff_unified").asText());
                if (counted != null) {
                    p.put("lines_added", counted[0]).put("lines_removed", counted[1]);
                }
                putIfSha256(p, "before_sha256", v0.get("buffer_hash_before"));
                putIfSha256(p, "after_sha256", v0.get("buffer_hash_after"));
                if (v0.path("language").isTextual()) {
                    p.set("language", v0.get("language"));
                }
            }
            case "cmd_run" -> {
                p.set("command", v0.get("cmd"));
                if (v0.path("cwd").isTextual()) {
                    p.set("cwd", v0.get("cwd"));
                }
                p.set("exit_code", v0.get("exit_code"));
            }
            case "test_run" -> {
                p.set("framework", v0.get("framework"));
                long passed = v0.path("num_passed").asLong();
                long failed = v0.path("num_failed").asLong();
                p.putObject("summary").put("total", passed + failed).put("passed", passed).put("failed", failed);
                JsonNode names = v0.path("failed_tests");
                if (names.isArray() && !names.isEmpty()) {
                    ArrayNode cases = p.putArray("cases");
                    names.forEach(n -> cases.addObject().put("name", n.asText()).put("outcome", "failed"));
                }
            }
            case "commit" -> {
                String sha = v0.path("sha").asText();
                if (GitIds.isFull(sha)) {
                    p.put("sha", sha);
                } else if (GitIds.isAbbreviated(sha)) {
                    p.put("sha", sha).put("sha_abbreviated", true);
                }
                String parent = v0.path("parent_sha").asText(null);
                if (GitIds.isFull(parent) || GitIds.isAbbreviated(parent)) {
                    p.putArray("parents").add(parent);
                }
                p.set("message", v0.get("message"));
                if (v0.path("diff_unified").isTextual()) {
                    p.set("diff", v0.get("diff_unified"));
                }
            }
            case "rationale_note" -> {
                List<String[]> notes = new ArrayList<>();
                for (String kind : NOTE_KINDS) {
                    JsonNode text = v0.path("structured").path(kind);
                    if (text.isTextual() && !text.asText().isEmpty()) {
                        notes.add(new String[] {kind, text.asText()});
                    }
                }
                JsonNode freeform = v0.path("freeform");
                boolean hasFreeform = freeform.isTextual() && !freeform.asText().isEmpty();
                if (!notes.isEmpty()) {
                    p.put("kind", notes.get(0)[0]).put("text", notes.get(0)[1]);
                    if (notes.size() > 1) {
                        ArrayNode more = p.putArray("more");
                        notes.subList(1, notes.size()).forEach(n -> more.addObject().put("kind", n[0]).put("text", n[1]));
                    }
                    if (hasFreeform) {
                        p.set("freeform", freeform);
                    }
                } else if (hasFreeform) {
                    p.set("text", freeform);
                }
            }
            default -> throw new IllegalArgumentException("not a v0 event type: " + type);
        }
        e.put(MEMBER, original);
        return e;
    }

    /** Translates and chains one v0 event onto {@code prevHash}: the v1 event with prev_hash and hash. */
    public static ObjectNode translateAndChain(String original, String prevHash) {
        ObjectNode e = translate(original);
        e.put("prev_hash", prevHash);
        e.put("hash", EventHasher.hash(e));
        return e;
    }

    /**
     * Null when a translated event says what {@link #translate} makes of its {@code v0_event} (the
     * chain members, the receive time and a server redaction aside); else what differs.
     */
    public static String checkTranslation(JsonNode event) {
        JsonNode original = event.get(MEMBER);
        if (original == null || !original.isTextual()) {
            return MEMBER + " is missing or not a string";
        }
        ObjectNode expected;
        try {
            expected = translate(original.textValue());
        } catch (RuntimeException ex) {
            return MEMBER + " is not a v0 event: " + ex.getMessage();
        }
        ObjectNode actual = ((ObjectNode) event).deepCopy();
        actual.remove(List.of("prev_hash", "hash", "ts_server_s", "server_redaction"));
        if (event.has("server_redaction")) {
            return null; // redacted after translation: the content is checked against server_redaction.content_hash
        }
        boolean same = java.util.Arrays.equals(dev.prtelemetry.schemas.json.CanonicalJson.canonicalBytes(expected),
                dev.prtelemetry.schemas.json.CanonicalJson.canonicalBytes(actual));
        return same ? null : "does not match the translation of its " + MEMBER + " (expected "
                + expected.path("payload") + ", found " + actual.path("payload") + ")";
    }

    /**
     * The exact text of each element of the array at {@code path} (object member names from the root) in a
     * JSON document, as it appears in {@code utf8}: the original bytes of every event of a chunk record.
     */
    public static List<String> elementTexts(byte[] utf8, String... path) {
        try (JsonParser p = FACTORY.createParser(utf8)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            for (int depth = 0; depth < path.length; depth++) {
                boolean found = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals(path[depth])) {
                        JsonToken want = depth == path.length - 1 ? JsonToken.START_ARRAY : JsonToken.START_OBJECT;
                        if (value != want) {
                            throw new IllegalArgumentException(name + " is not " + (want == JsonToken.START_ARRAY ? "an array" : "an object"));
                        }
                        found = true;
                        break;
                    }
                    p.skipChildren();
                }
                if (!found) {
                    throw new IllegalArgumentException("no member " + path[depth]);
                }
            }
            List<String> out = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new IllegalArgumentException("unterminated array");
                }
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getByteOffset();
                out.add(new String(utf8, start, end - start, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines added and removed by a unified diff's hunks; null when the text has no hunk (not a unified diff). */
    static long[] countLines(String diff) {
        boolean inHunk = false;
        long added = 0;
        long removed = 0;
        for (String line : diff.split("\n", -1)) {
            if (line.startsWith("@@")) {
                inHunk = true;
            } else if (line.startsWith("diff ") || line.startsWith("--- ") || line.startsWith("+++ ")) {
                inHunk = false;
            } else if (inHunk && line.startsWith("+")) {
                added++;
            } else if (inHunk && line.startsWith("-")) {
                removed++;
            }
        }
        return added + removed == 0 && !diff.contains("\n@@") && !diff.startsWith("@@") ? null : new long[] {added, removed};
    }

    private static void putIfSha256(ObjectNode p, String name, JsonNode value) {
        if (value != null && value.isTextual() && Sha256.isHash(value.textValue())) {
            p.set(name, value);
        }
    }
}
