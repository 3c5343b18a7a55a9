package dev.prtelemetry.flink.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.grading.FailToPass;
import dev.prtelemetry.qa.grading.TraceVerification;
import dev.prtelemetry.qa.sandbox.Sandbox;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.model.ArtifactRef;
import dev.prtelemetry.schemas.stream.ClaimCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Verifies one assembled trace from its claim check (plain Java; the Flink function runs it on
 * its executor): a result already stored for this trace digest is returned as is — the sandbox
 * never runs twice for the same content — otherwise the document and its start snapshot are
 * read from the object store, the trace is verified in the sandbox, and the result returned.
 */
public final class ClaimCheckVerifier {
    public static final String VERIFIER = "fail-to-pass-v1";

    /** Reads objects by URI (S3 through Flink's file systems, or local files). */
    @FunctionalInterface
    public interface Blobs {
        byte[] read(String uri) throws IOException;
    }

    private final ResultStore store;
    private final Blobs blobs;
    private final String artifactsBase;
    private final Sandbox sandbox;
    private final FailToPass.Options options;

    public ClaimCheckVerifier(ResultStore store, Blobs blobs, String artifactsBase, Sandbox sandbox, FailToPass.Options options) {
        this.store = store;
        this.blobs = blobs;
        this.artifactsBase = artifactsBase.endsWith("/") ? artifactsBase.substring(0, artifactsBase.length() - 1) : artifactsBase;
        this.sandbox = sandbox;
        this.options = options;
    }

    /** The result for a claim check, or empty for a trace that is not to be verified (not complete). */
    public Optional<QaResult> verify(String claimJson) throws Exception {
        ClaimCheck claim = ClaimCheck.parse(claimJson);
        if (!claim.isComplete()) {
            return Optional.empty();
        }
        String traceId = claim.traceId();
        String digest = claim.documentSha256();
        Optional<QaResult> stored = store.find(traceId, digest, VERIFIER);
        if (stored.isPresent()) {
            return stored;
        }
        if (sandbox == null) {
            // never unsandboxed: the trace waits; this row is replaced by the verdict when a sandbox is there
            return Optional.of(waiting(claimJson, "no sandbox: neither Docker nor a namespace sandbox (bubblewrap, or util-linux's unshare) is usable on this task manager"));
        }
        ObjectNode verdict;
        JsonNode doc;
        try {
            doc = claim.knownWithoutSnapshot() ? null // the claim check says so: the document need not be read
                    : StrictJson.parseAccepted(claim.checkDocument(blobs.read(claim.documentUri())));
        } catch (ClaimCheck.ChangedDocument e) {
            // rewritten by a replay since this claim check: its content is gone; the newer claim check is verified
            return Optional.empty();
        }
        String snapshot = doc == null ? null : doc.at("/repo/snapshot_ref").asText(null);
        if (snapshot == null) {
            verdict = error("the trace has no start snapshot (repo.snapshot_ref) to rebuild its repository from");
        } else {
            Path dir = Files.createTempDirectory("prt-qa-blobs");
            try {
                Path bundle = dir.resolve("start.bundle");
                Files.write(bundle, blobs.read(artifactUri(snapshot)));
                Path finalPatch = null;
                String patchRef = doc.at("/repo/final_patch_ref").asText(null);
                if (patchRef != null) {
                    try {
                        finalPatch = dir.resolve("final.patch");
                        Files.write(finalPatch, blobs.read(artifactUri(patchRef)));
                    } catch (IOException e) {
                        finalPatch = null; // not uploaded (yet): the edits alone decide
                    }
                }
                verdict = TraceVerification.verify(new TraceVerification.Inputs(doc, bundle, finalPatch, null, null), sandbox, options);
            } finally {
                try (var s = Files.walk(dir)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        QaResult r = new QaResult();
        r.traceId = traceId;
        r.traceDigest = digest;
        r.verifier = VERIFIER;
        r.resolved = verdict.path("resolved").asBoolean(false);
        r.error = verdict.path("error").asText(null);
        // a redacted edit is a property of the trace, not a failure of the verifier: it says so, and is not retried
        r.verdict = r.resolved ? "resolved" : verdict.hasNonNull("not_verifiable") ? "not_verifiable"
                : r.error != null ? "error" : "not_resolved";
        r.sandbox = verdict.path("sandbox").asText("none")
                + (verdict.hasNonNull("sandbox_tool") ? " (" + verdict.get("sandbox_tool").asText() + ")" : ""); // "namespace (util-linux)"
        verdict.put("trace_id", traceId);
        verdict.put("trace_digest", digest);
        verdict.put("verifier", VERIFIER);
        r.resultJson = verdict.toString();
        r.createdAtMs = System.currentTimeMillis();
        return Optional.of(r);
    }

    /**
     * A "waiting" result: the trace could not be verified now (no sandbox, an object store or
     * database that did not answer); it is stored so readers see why, and replaced by the
     * verdict when a later attempt — a retry, a replay — gets one.
     */
    public static QaResult waiting(String claimJson, String why) {
        ClaimCheck claim = ClaimCheck.parse(claimJson);
        QaResult w = new QaResult();
        w.traceId = claim.traceId();
        w.traceDigest = claim.documentSha256();
        w.verifier = VERIFIER;
        w.verdict = "waiting";
        w.error = why;
        w.sandbox = "none";
        ObjectNode n = StrictJson.mapper().createObjectNode();
        n.put("resolved", false);
        n.put("error", why);
        n.put("sandbox", "none");
        n.putArray("tests");
        n.putArray("flaky");
        n.put("trace_id", w.traceId);
        n.put("trace_digest", w.traceDigest);
        n.put("verifier", VERIFIER);
        w.resultJson = n.toString();
        w.createdAtMs = System.currentTimeMillis();
        return w;
    }

    String artifactUri(String ref) {
        return ArtifactRef.parse(ref).location(artifactsBase);
    }

    private ObjectNode error(String message) {
        ObjectNode n = StrictJson.mapper().createObjectNode();
        n.put("resolved", false);
        n.put("error", message);
        n.put("sandbox", sandbox == null ? "none" : sandbox.kind());
        n.putArray("tests");
        n.putArray("flaky");
        return n;
    }
}
