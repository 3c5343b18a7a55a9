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

    public QaResult() {
    }
}
