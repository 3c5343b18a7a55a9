package dev.prtelemetry.schemas.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;

/**
 * A record of {@link Topics#TRACES_ASSEMBLED} (key = trace id): the assembled trace's summary
 * and where its document is, with the document's SHA-256 and size, so readers fetch it only
 * when they need the events and can prove they read what the assembly wrote
 * ({@link #checkDocument}). Consent and retention travel with the trace to every consumer;
 * {@code snapshotRef}/{@code finalPatchRef} let the verifier decide without the document
 * whether a trace can be rebuilt at all ({@code refsKnown}: the record says, null meaning none).
 *
 * @param consent      the trace's consent object, or null
 * @param retainUntil  epoch seconds, or null
 * @param reasons      JSON array text
 * @param metrics      JSON object text
 */
public record ClaimCheck(String traceId, String state, String documentUri, String documentSha256, long documentBytes,
                         long eventCount, String chainHead, String merkleRoot, String verdict, String reasons,
                         String metrics, JsonNode consent, Double retainUntil, String snapshotRef, String finalPatchRef,
                         boolean refsKnown, Subject subject) {

    /**
     * Whose trace of which task on which repository (header fields, after redaction): what the QA
     * stages' metrics are counted under. Null in claim checks written before it was added.
     */
    public record Subject(String participantId, String taskId, String repo) {
        static Subject of(JsonNode n) {
            return n == null || !n.isObject() ? null : new Subject(n.path("participant_id").textValue(),
                    n.path("task_id").textValue(), n.path("repo").textValue());
        }
    }

    /** A claim check without a subject. */
    public ClaimCheck(String traceId, String state, String documentUri, String documentSha256, long documentBytes,
                      long eventCount, String chainHead, String merkleRoot, String verdict, String reasons,
                      String metrics, JsonNode consent, Double retainUntil, String snapshotRef, String finalPatchRef,
                      boolean refsKnown) {
        this(traceId, state, documentUri, documentSha256, documentBytes, eventCount, chainHead, merkleRoot, verdict, reasons,
                metrics, consent, retainUntil, snapshotRef, finalPatchRef, refsKnown, null);
    }

    /** A claim check as the assembly writes it (it always knows the repository refs, null when there are none). */
    public ClaimCheck(String traceId, String state, String documentUri, String documentSha256, long documentBytes,
                      long eventCount, String chainHead, String merkleRoot, String verdict, String reasons, String metrics,
                      JsonNode consent, Double retainUntil, String snapshotRef, String finalPatchRef) {
        this(traceId, state, documentUri, documentSha256, documentBytes, eventCount, chainHead, merkleRoot, verdict, reasons,
                metrics, consent, retainUntil, snapshotRef, finalPatchRef, true);
    }

    /**
     * Whether the claim check says for sure that the trace has no start snapshot (records written
     * before the refs were added to claim checks do not say: their readers look in the document).
     */
    public boolean knownWithoutSnapshot() {
        return refsKnown && snapshotRef == null;
    }

    public static final String COMPLETE = "complete";

    public boolean isComplete() {
        return COMPLETE.equals(state);
    }

    /** The key readers use for "the same content": the document's digest (the trace id when there is none). */
    public String contentKey() {
        return documentSha256 != null ? documentSha256 : traceId;
    }

    /** Reads a record's value; a {@link dev.prtelemetry.schemas.json.CanonicalizationException} or IllegalArgumentException if it is not one. */
    public static ClaimCheck parse(byte[] json) {
        return of(StrictJson.parse(json));
    }

    public static ClaimCheck parse(String json) {
        return of(StrictJson.parse(json));
    }

    /** As {@link #parse(String)} by the faster reader without the duplicate-key check, for records read back from the topic the assembly writes. */
    public static ClaimCheck parseAccepted(String json) {
        return of(StrictJson.parseAccepted(json));
    }

    public static ClaimCheck of(JsonNode n) {
        String traceId = n.path("trace_id").textValue();
        if (traceId == null) {
            throw new IllegalArgumentException("a claim check needs trace_id");
        }
        JsonNode retain = n.path("retain_until");
        return new ClaimCheck(traceId, n.path("state").asText(null), n.path("document_uri").asText(null),
                n.path("document_sha256").asText(null), n.path("document_bytes").asLong(-1), n.path("event_count").asLong(0),
                n.path("chain_head").asText(null), n.path("merkle_root").asText(null), n.path("verdict").asText(null),
                n.has("reasons") ? n.get("reasons").toString() : "[]", n.has("metrics") ? n.get("metrics").toString() : "{}",
                n.hasNonNull("consent") ? n.get("consent") : null, retain.isNumber() ? retain.doubleValue() : null,
                n.path("snapshot_ref").textValue(), n.path("final_patch_ref").textValue(), n.has("snapshot_ref"),
                Subject.of(n.get("subject")));
    }

    public ObjectNode toJson() {
        ObjectNode claim = StrictJson.mapper().createObjectNode();
        claim.put("trace_id", traceId);
        claim.put("state", state);
        claim.put("document_uri", documentUri);
        claim.put("document_sha256", documentSha256);
        claim.put("document_bytes", documentBytes);
        claim.put("event_count", eventCount);
        claim.put("chain_head", chainHead);
        claim.put("merkle_root", merkleRoot);
        claim.put("verdict", verdict);
        claim.set("reasons", StrictJson.parse(reasons));
        claim.set("metrics", StrictJson.parse(metrics));
        if (consent != null) {
            claim.set("consent", consent);
        }
        if (retainUntil != null) {
            claim.put("retain_until", retainUntil);
        }
        if (refsKnown) {
            claim.put("snapshot_ref", snapshotRef); // null when there is none: "known to have none"
            claim.put("final_patch_ref", finalPatchRef);
        }
        if (subject != null) {
            ObjectNode who = claim.putObject("subject");
            who.put("participant_id", subject.participantId());
            who.put("task_id", subject.taskId());
            who.put("repo", subject.repo());
        }
        return claim;
    }

    /**
     * The document's bytes if they are the ones this claim check names (SHA-256 and size):
     * an end-to-end check from the assembly's write to this read, so no transport checksum
     * has to be trusted; an IOException naming both digests otherwise.
     */
    public byte[] checkDocument(byte[] bytes) throws IOException {
        String actual = Sha256.hex(Sha256.digest(bytes));
        if (documentSha256 != null && !documentSha256.equals(actual)) {
            throw new ChangedDocument("the document at " + documentUri + " has SHA-256 " + actual + " (" + bytes.length
                    + " bytes), not the " + documentSha256 + " (" + documentBytes + " bytes) its claim check names");
        }
        return bytes;
    }

    /**
     * The document is not the one this claim check names: rewritten since (a replay of the trace
     * writes it again, with a later claim check of its own) or damaged. Readers skip this claim
     * check — the content it names is gone — and never fail on it.
     */
    public static final class ChangedDocument extends IOException {
        private static final long serialVersionUID = 1L;

        ChangedDocument(String message) {
            super(message);
        }
    }
}
