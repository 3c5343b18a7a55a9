package dev.prtelemetry.flink.qa;

/** One judgement: a row of {@code qa_judgements} and a record of {@code prt.qa-results}. */
public class JudgementRow {
    public String traceId;
    public String traceDigest;
    public String rubric;
    public String judge;
    /** Null when the judge failed. */
    public Double overall;
    public String error;
    /** {@code prt qa judge --json}'s object. */
    public String resultJson;
    public long createdAtMs;
    public boolean reused;
    /** The trace's participant, task and repository (from its claim check), for the metrics; null if unknown. */
    public String participantId;
    public String taskId;
    public String repo;

    public JudgementRow() {
    }
}
