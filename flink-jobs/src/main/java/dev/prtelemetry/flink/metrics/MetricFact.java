package dev.prtelemetry.flink.metrics;

/**
 * One thing that happened to a trace, as the metrics windows count it: an accepted chunk, a
 * trace opened or ended, a dropped duplicate, a verification verdict, a judge's score. Facts
 * come from the assembly's and the QA stages' outputs (what was written, deduplicated), never
 * from the raw topic, so window totals equal the rows they summarise.
 *
 * <p>{@code atMs} is the event time: the gateway's receive time of the record behind the fact
 * (for QA facts, the stored result's creation time). {@code dimension} and {@code key} are set
 * when a fact is fanned out to the windows it counts in ({@link Dimensions}).
 */
public class MetricFact {
    public String traceId;
    public String participantId;
    public String taskId;
    public String repo;
    public long atMs;

    public long events;
    public long chunks;
    public long bytes;
    public long opened;
    public long completed;
    public long rejected;
    public long abandoned;
    public long duplicates;
    /** Gateway receive → accepted by the assembly, for a chunk; -1 when not a chunk. */
    public long latencyMs = -1;
    /** resolved | not_resolved | waiting | error, for a verification. */
    public String verdict;
    /** Time the sandbox ran, for a verification that ran one; -1 otherwise. */
    public long sandboxMs = -1;
    /** {@code rubric@version/dimension} (or {@code …/overall}) for a judge's score. */
    public String scoreName;
    public double score = Double.NaN;

    public String dimension;
    public String key;

    public MetricFact() {
    }

    /** A fact about a trace, at the given event time. */
    public static MetricFact of(String traceId, String participantId, String taskId, String repo, long atMs) {
        MetricFact f = new MetricFact();
        f.traceId = traceId;
        f.participantId = participantId;
        f.taskId = taskId;
        f.repo = repo;
        f.atMs = atMs;
        return f;
    }

    /** A copy counted under one dimension's key. */
    public MetricFact under(String dimension, String key) {
        MetricFact f = new MetricFact();
        f.traceId = traceId;
        f.participantId = participantId;
        f.taskId = taskId;
        f.repo = repo;
        f.atMs = atMs;
        f.events = events;
        f.chunks = chunks;
        f.bytes = bytes;
        f.opened = opened;
        f.completed = completed;
        f.rejected = rejected;
        f.abandoned = abandoned;
        f.duplicates = duplicates;
        f.latencyMs = latencyMs;
        f.verdict = verdict;
        f.sandboxMs = sandboxMs;
        f.scoreName = scoreName;
        f.score = score;
        f.dimension = dimension;
        f.key = key;
        return f;
    }

    /** The window key: dimension and key (the window's start is Flink's part of the key). */
    public String windowKey() {
        return dimension + "\u0000" + key;
    }
}
