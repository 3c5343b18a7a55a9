package dev.prtelemetry.flink.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.judging.Judge;
import dev.prtelemetry.qa.judging.Judgement;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import dev.prtelemetry.schemas.stream.ClaimCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Judges one assembled trace with every configured judge on every configured rubric (plain
 * Java, shared by the streaming operator and the re-scoring batch job). A judgement is keyed by
 * (trace digest, rubric id@version, judge id); keys already stored are not judged again.
 */
public final class TraceJudging {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TraceJudging.class);
    /** Which (rubric, judge) keys are stored for a trace digest. */
    @FunctionalInterface
    public interface Stored {
        Set<String> keys(String traceDigest) throws Exception;
    }

    private final List<Judge> judges;
    private final List<Rubric> rubrics;
    private final Stored stored;
    private final ClaimCheckVerifier.Blobs blobs;

    public TraceJudging(List<Judge> judges, List<Rubric> rubrics, Stored stored, ClaimCheckVerifier.Blobs blobs) {
        this.judges = judges;
        this.rubrics = rubrics;
        this.stored = stored;
        this.blobs = blobs;
    }

    public static String key(String rubric, String judge) {
        return rubric + "|" + judge;
    }

    /** New judgements for a claim check (none for a trace that is not complete, none already stored). */
    public List<JudgementRow> judge(String claimJson) throws Exception {
        return judge(ClaimCheck.parse(claimJson));
    }

    /** As above, for a claim check already read. */
    public List<JudgementRow> judge(ClaimCheck claim) throws Exception {
        return judge(claim, null);
    }

    /**
     * As above, with the document's bytes when the caller already has them from elsewhere
     * ({@link StoredDocuments}): they are used only if they are the bytes the claim check names
     * (its SHA-256 and size); otherwise the document is read from the store as usual.
     */
    public List<JudgementRow> judge(ClaimCheck claim, byte[] candidate) throws Exception {
        if (!claim.isComplete()) {
            return List.of();
        }
        String traceId = claim.traceId();
        String digest = claim.documentSha256();
        Set<String> have = stored.keys(digest);
        List<JudgementRow> rows = new ArrayList<>();
        JsonNode doc = null;
        for (Rubric r : rubrics) {
            for (Judge j : judges) {
                if (have.contains(key(r.key(), j.id()))) {
                    continue;
                }
                if (doc == null && candidate != null && claim.documentSha256() != null) { // proven against the digest, or not used
                    try {
                        doc = StrictJson.parseAccepted(claim.checkDocument(candidate));
                    } catch (ClaimCheck.ChangedDocument e) {
                        LOG.debug("rebuilt document of {} differs from its claim check; reading the stored one", traceId);
                    }
                }
                if (doc == null) {
                    try {
                        // the document the claim check names, byte for byte (its SHA-256), read by the fast reader
                        doc = StrictJson.parseAccepted(claim.checkDocument(blobs.read(claim.documentUri())));
                    } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
                        return List.of(); // the trace was erased or its retention ended: nothing to judge
                    } catch (ClaimCheck.ChangedDocument e) {
                        // rewritten by a replay: the content this claim names is gone; the newer claim check is judged
                        LOG.warn("not judged: {}", e.getMessage());
                        return List.of();
                    }
                }
                Judgement jm = j.judge(doc, r);
                ObjectNode json = jm.toJson(r);
                json.put("trace_id", traceId);
                json.put("trace_digest", digest);
                JudgementRow row = new JudgementRow();
                row.traceId = traceId;
                row.traceDigest = digest;
                row.rubric = r.key();
                row.judge = jm.judge();
                row.overall = jm.overall();
                row.error = jm.error();
                row.resultJson = json.toString();
                row.createdAtMs = System.currentTimeMillis();
                rows.add(row);
            }
        }
        return rows;
    }
}
