package dev.prtelemetry.schemas.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.v0.V0Events;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Redaction on the server, after an event's hash has been checked and before it reaches any
 * durable store but the raw topic. The recorder redacts before hashing; this second pass catches
 * what other clients send and the rules a deployment adds (e-mail, IP addresses).
 *
 * <p>A redacted event keeps its original {@code hash}, so the chain and the Merkle root over
 * the hashes still check; it gains a {@code server_redaction} member (outside the hash, like
 * {@code ts_server_s}): the rule set, each redaction (rule, JSON Pointer, placeholder offsets,
 * keyed fingerprint of the secret) and {@code content_hash}, the event hash rule applied to the
 * redacted event without {@code server_redaction}. A verifier checks the redacted content against
 * {@code content_hash} and the chain links against {@code hash} (schemas/README.md).
 */
public final class ServerRedaction {
    /** The member the assembly adds to a redacted event; clients may not send it. */
    public static final String MEMBER = "server_redaction";
    /** The member the assembly adds to a redacted trace header. */
    public static final String HEADER_MEMBER = "server_redactions";
    private static final Set<String> UNHASHED = Set.of("hash", "ts_server_s", MEMBER);
    /** Header members that are identifiers, times or structure, never free text. */
    private static final Set<String> HEADER_KEPT = Set.of("participant_id", "task_id", "start_commit", "consent", "created_at",
            "started_at", "start_snapshot_ref", "retain_until", HEADER_MEMBER);

    private ServerRedaction() {
    }

    /**
     * Redacts the payload of an accepted event in place — and, for an event translated from format v0, the string
     * values of the original text it keeps in {@code v0_event} (each at {@code /v0_event/<pointer into the original>}),
     * every other byte of that text left as it was; true when something was redacted.
     */
    public static boolean redactEvent(Redactor redactor, ObjectNode event) {
        JsonNode payload = event.get("payload");
        if (payload == null || !payload.isContainerNode()) {
            return false;
        }
        List<ObjectNode> found = new java.util.ArrayList<>(redactor.redactTree(payload, "/payload"));
        JsonNode original = event.get(V0Events.MEMBER);
        if (original != null && original.isTextual()) {
            String redacted = redactJsonText(redactor, original.textValue(), "/" + V0Events.MEMBER, found);
            if (redacted != original.textValue()) {
                event.put(V0Events.MEMBER, redacted);
            }
        }
        if (found.isEmpty()) {
            return false;
        }
        String contentHash = contentHash(event);
        ObjectNode record = event.putObject(MEMBER);
        record.put("rule_set", redactor.setId());
        ArrayNode list = record.putArray("redactions");
        found.forEach(list::add);
        record.put("content_hash", contentHash);
        return true;
    }

    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = new com.fasterxml.jackson.core.JsonFactory();

    /**
     * A JSON text with each string value the rules match redacted in place: the value's token is replaced by the
     * redacted value, JSON-quoted; every other character stays. The same text (identical) when nothing matched.
     */
    static String redactJsonText(Redactor redactor, String json, String base, List<ObjectNode> found) {
        StringBuilder out = null;
        int copied = 0;
        try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(json)) {
            com.fasterxml.jackson.core.JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                    continue;
                }
                int start = (int) p.currentTokenLocation().getCharOffset();
                String value = p.getText();
                String pointer = base + p.getParsingContext().pathAsPointer();
                String redacted = redactor.redactAt(value, pointer, found);
                if (redacted != value) {
                    p.finishToken();
                    int end = (int) p.currentLocation().getCharOffset();
                    if (out == null) {
                        out = new StringBuilder(json.length());
                    }
                    out.append(json, copied, start).append('"')
                            .append(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(redacted)).append('"');
                    copied = end;
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("v0_event is not JSON: " + e.getMessage(), e);
        }
        return out == null ? json : out.append(json, copied, json.length()).toString();
    }

    /** Redacts the free-text members of a trace header in place, recording what it did in the header; true when something was. */
    public static boolean redactHeader(Redactor redactor, ObjectNode header) {
        List<ObjectNode> found = new java.util.ArrayList<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (HEADER_KEPT.contains(e.getKey())) {
                continue;
            }
            String pointer = "/" + e.getKey().replace("~", "~0").replace("/", "~1");
            if (e.getValue().isTextual()) {
                String text = e.getValue().textValue();
                String redacted = redactor.redactAt(text, pointer, found);
                if (redacted != text) {
                    e.setValue(com.fasterxml.jackson.databind.node.TextNode.valueOf(redacted));
                }
            } else {
                found.addAll(redactor.redactTree(e.getValue(), pointer));
            }
        }
        if (found.isEmpty()) {
            return false;
        }
        ObjectNode record = header.putObject(HEADER_MEMBER);
        record.put("rule_set", redactor.setId());
        found.forEach(record.putArray("redactions")::add);
        return true;
    }

    /** Whether the assembly redacted this event. */
    public static boolean isRedacted(JsonNode event) {
        return event.has(MEMBER);
    }

    /** The event hash rule over the event as it now is, without {@code hash}, {@code ts_server_s} and {@code server_redaction}. */
    public static String contentHash(JsonNode event) {
        return Sha256.hex(Sha256.digest(CanonicalJson.canonicalBytesWithout(event, UNHASHED)));
    }

    /** The rules that fired on an event (client-side and server-side), in order, with repeats. */
    public static List<String> rulesFired(JsonNode event) {
        List<String> out = new java.util.ArrayList<>();
        event.path("redactions").forEach(r -> out.add(r.path("rule").asText()));
        event.path(MEMBER).path("redactions").forEach(r -> out.add(r.path("rule").asText()));
        return out;
    }
}
