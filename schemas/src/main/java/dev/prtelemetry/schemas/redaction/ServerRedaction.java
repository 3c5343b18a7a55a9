package dev.prtelemetry.schemas.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.CanonicalJson;
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

    /** Redacts the payload of an accepted event in place; true when something was redacted. */
    public static boolean redactEvent(Redactor redactor, ObjectNode event) {
        JsonNode payload = event.get("payload");
        if (payload == null || !payload.isContainerNode()) {
            return false;
        }
        List<ObjectNode> found = redactor.redactTree(payload, "/payload");
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
