package dev.prtelemetry.flink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The withdrawal of an erased participant's windows, in Flink's keyed two-input harness. */
class ErasedParticipantWindowsTest {
    private static final long MIN = 60_000;
    static final Map<String, Long> STORE = new ConcurrentHashMap<>(); // the erasures table, as the lookup sees it

    private static KeyedTwoInputStreamOperatorTestHarness<String, MetricRow, ParticipantErasure, MetricRow> harness() throws Exception {
        ErasedParticipantWindows f = new ErasedParticipantWindows(p -> STORE.getOrDefault(p, -1L));
        KeyedTwoInputStreamOperatorTestHarness<String, MetricRow, ParticipantErasure, MetricRow> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(f), r -> r.key, e -> e.participantId, Types.STRING);
        h.setup();
        return h;
    }

    private static MetricRow row(String size, String participant, long start, long events) {
        MetricRow r = new MetricRow();
        r.windowSize = size;
        r.dimension = Dimensions.PARTICIPANT;
        r.key = participant;
        r.windowStartMs = start;
        r.windowEndMs = start + ("1m".equals(size) ? MIN : 60 * MIN);
        r.events = events;
        return r;
    }

    private static List<String> drain(KeyedTwoInputStreamOperatorTestHarness<String, MetricRow, ParticipantErasure, MetricRow> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            MetricRow r = (MetricRow) ((StreamRecord<?>) o).getValue();
            out.add(r.isTombstone() ? "tombstone " + r.id() : r.id() + " events=" + r.events);
        }
        h.getOutput().clear();
        return out;
    }

    @Test
    void windowsEmittedBeforeAnErasureAreWithdrawnAfterThemAndNeverComeBack() throws Exception {
        STORE.clear();
        var h = harness();
        h.open();
        h.setProcessingTime(10 * MIN);
        h.processElement1(new StreamRecord<>(row("1m", "alice", 9 * MIN, 3)));
        h.processElement1(new StreamRecord<>(row("1h", "alice", 0, 3)));
        h.processElement1(new StreamRecord<>(row("1m", "bob", 9 * MIN, 5)));
        assertThat(drain(h)).containsExactly(
                "1m|participant|alice|1970-01-01T00:09:00Z events=3",
                "1h|participant|alice|1970-01-01T00:00:00Z events=3",
                "1m|participant|bob|1970-01-01T00:09:00Z events=5");

        // alice is erased at 10:30: both her windows are withdrawn, bob's is not
        h.processElement2(new StreamRecord<>(new ParticipantErasure("alice", 10 * MIN + 30_000)));
        assertThat(drain(h)).containsExactlyInAnyOrder(
                "tombstone 1m|participant|alice|1970-01-01T00:09:00Z",
                "tombstone 1h|participant|alice|1970-01-01T00:00:00Z");

        // the hour's window fires again (it still holds her facts): dropped; a window after the erasure is hers anew
        h.setProcessingTime(60 * MIN);
        h.processElement1(new StreamRecord<>(row("1h", "alice", 0, 4)));
        h.processElement1(new StreamRecord<>(row("1m", "alice", 11 * MIN, 1)));
        h.processElement1(new StreamRecord<>(row("1h", "bob", 0, 5)));
        assertThat(drain(h)).containsExactly(
                "1m|participant|alice|1970-01-01T00:11:00Z events=1",
                "1h|participant|bob|1970-01-01T00:00:00Z events=5");

        // a second erase record of the same erasure (one per trace) withdraws nothing more than is there
        h.processElement2(new StreamRecord<>(new ParticipantErasure("alice", 10 * MIN + 30_000)));
        assertThat(drain(h)).isEmpty();
        h.close();
    }

    @Test
    void aParticipantSeenFirstAfterTheirErasureIsLookedUpAndTheStateSurvivesARestore() throws Exception {
        STORE.clear();
        STORE.put("carol", 5 * MIN);
        var h = harness();
        h.open();
        h.setProcessingTime(6 * MIN);
        h.processElement1(new StreamRecord<>(row("1m", "carol", 4 * MIN, 2)));   // before her erasure: refused
        h.processElement1(new StreamRecord<>(row("1m", "carol", 6 * MIN, 2)));   // after it: hers anew
        h.processElement1(new StreamRecord<>(row("1m", "dave", 5 * MIN, 7)));
        assertThat(drain(h)).containsExactly(
                "1m|participant|carol|1970-01-01T00:06:00Z events=2",
                "1m|participant|dave|1970-01-01T00:05:00Z events=7");
        OperatorSubtaskState snapshot = h.snapshot(1, 6 * MIN);
        h.close();

        // restored: dave's window is still remembered, so his erasure withdraws it; the lookup is not asked again
        STORE.clear();
        var restored = harness();
        restored.initializeState(snapshot);
        restored.open();
        restored.setProcessingTime(7 * MIN);
        restored.processElement2(new StreamRecord<>(new ParticipantErasure("dave", 7 * MIN)));
        restored.processElement1(new StreamRecord<>(row("1m", "carol", 4 * MIN, 9)));
        assertThat(drain(restored)).containsExactly("tombstone 1m|participant|dave|1970-01-01T00:05:00Z");

        // what was emitted longer ago than it remembers is left to the gateway's tombstones
        restored.setProcessingTime(7 * MIN + ErasedParticipantWindows.REMEMBER_MS + 1);
        restored.processElement1(new StreamRecord<>(row("1m", "erin", 8 * MIN, 1)));
        restored.setProcessingTime(8 * MIN + 2 * ErasedParticipantWindows.REMEMBER_MS);
        restored.processElement1(new StreamRecord<>(row("1m", "erin", 40 * MIN, 1)));
        drain(restored);
        restored.processElement2(new StreamRecord<>(new ParticipantErasure("erin", 50 * MIN)));
        assertThat(drain(restored)).containsExactly("tombstone 1m|participant|erin|1970-01-01T00:40:00Z");
        restored.close();
    }
}
