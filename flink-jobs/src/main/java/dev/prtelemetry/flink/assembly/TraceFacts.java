package dev.prtelemetry.flink.assembly;

import dev.prtelemetry.flink.metrics.MetricFact;
import java.util.ArrayList;
import java.util.List;

/**
 * The metric facts of one assembly step: exactly one per chunk row written, one when a trace
 * opens, one when it ends, one per step that dropped duplicates — so the windows' totals equal
 * the rows of {@code trace_event_chunks} and {@code traces}.
 */
public final class TraceFacts {
    private TraceFacts() {
    }

    /**
     * @param recordReceivedAtMs the gateway's receive time of the record this step handled (its
     *                           Kafka timestamp), 0 for a timer's step
     */
    public static List<MetricFact> of(AssemblyState s, TraceAssembler.Outcome o, long now, long recordReceivedAtMs) {
        List<MetricFact> facts = new ArrayList<>(o.applied.size() + 1);
        long lastReceivedMs = s.lastReceivedAtS >= 0 ? Math.round(s.lastReceivedAtS * 1000) : now;
        long recordMs = recordReceivedAtMs > 0 ? recordReceivedAtMs : lastReceivedMs;
        for (TraceAssembler.AppliedChunk c : o.applied) {
            long at = c.receivedAtMs() >= 0 ? c.receivedAtMs() : recordMs;
            MetricFact f = fact(s, at);
            f.chunks = 1;
            f.events = c.lastSeq() - c.firstSeq() + 1;
            f.bytes = c.eventsJson().length;
            f.latencyMs = Math.max(0, now - at);
            facts.add(f);
        }
        if (o.opened) {
            MetricFact f = fact(s, s.createdAtS >= 0 ? Math.round(s.createdAtS * 1000) : recordMs);
            f.opened = 1;
            facts.add(f);
        }
        if (o.duplicates > 0) {
            MetricFact f = fact(s, recordMs);
            f.duplicates = o.duplicates;
            facts.add(f);
        }
        if (o.finished) {
            MetricFact f = fact(s, s.endedAtS >= 0 ? Math.round(s.endedAtS * 1000) : now);
            switch (s.status) {
                case COMPLETE -> f.completed = 1;
                case REJECTED -> f.rejected = 1;
                case ABANDONED -> f.abandoned = 1;
                default -> {
                    return facts;
                }
            }
            facts.add(f);
        }
        return facts;
    }

    private static MetricFact fact(AssemblyState s, long atMs) {
        return MetricFact.of(s.traceId, s.participantId, s.taskId, s.repoOrigin, atMs);
    }
}
