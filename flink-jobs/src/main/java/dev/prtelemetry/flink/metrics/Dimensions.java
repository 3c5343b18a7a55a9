package dev.prtelemetry.flink.metrics;

import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * The dimensions a fact is counted under: overall ({@code all}, key {@code ""}), per task, per
 * participant and per repository. A fact without a task, participant or repository (a QA fact
 * whose claim check predates these fields) is counted overall only.
 */
public final class Dimensions implements FlatMapFunction<MetricFact, MetricFact> {
    private static final long serialVersionUID = 1L;

    public static final String ALL = "all";
    public static final String TASK = "task";
    public static final String PARTICIPANT = "participant";
    public static final String REPO = "repo";
    public static final List<String> NAMES = List.of(ALL, TASK, PARTICIPANT, REPO);

    @Override
    public void flatMap(MetricFact f, Collector<MetricFact> out) {
        out.collect(f.under(ALL, ""));
        if (f.taskId != null) {
            out.collect(f.under(TASK, f.taskId));
        }
        if (f.participantId != null) {
            out.collect(f.under(PARTICIPANT, f.participantId));
        }
        if (f.repo != null) {
            out.collect(f.under(REPO, f.repo));
        }
    }
}
