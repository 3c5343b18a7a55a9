package dev.prtelemetry.flink.qa;

/** One verification result: a row of {@code qa_validations} and a record of {@code prt.qa-results}. */
public class QaResult {
    public String traceId;
    public String traceDigest;
    public String verifier;
    /** resolved | not_resolved | error */
    public String verdict;
    public boolean resolved;
    public String error;
    public String sandbox;
    /** The whole verdict as JSON ({@code prt qa verify --json}). */
    public String resultJson;
    public long createdAtMs;
    /** The claim check this result is for (the judges read the document through it). */
    public String claimJson;
    /** True when this result was found stored, not computed now. */
    public boolean reused;
    /** The trace's participant, task and repository (from its claim check), for the metrics; null if unknown. */
    public String participantId;
    public String taskId;
    public String repo;

    public QaResult() {
    }

    /** Notes the claim check this result is for, and the trace's subject it names (for the metrics). */
    public QaResult withClaim(String claim) {
        claimJson = claim;
        try {
            dev.prtelemetry.schemas.stream.ClaimCheck.Subject who =
                    dev.prtelemetry.schemas.stream.ClaimCheck.parseAccepted(claim).subject();
            if (who != null) {
                participantId = who.participantId();
                taskId = who.taskId();
                repo = who.repo();
            }
        } catch (RuntimeException unreadable) {
            // a result for a claim check nobody can read is still a result; it counts overall only
        }
        return this;
    }
}
