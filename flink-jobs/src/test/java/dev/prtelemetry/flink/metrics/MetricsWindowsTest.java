package dev.prtelemetry.flink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one-minute metrics window operator as the job builds it (assigner, {@link LiveUpdateTrigger},
 * allowed lateness, late side output), driven through Flink's operator harness: out-of-order and
 * late facts, facts too late, live updates, and a restore from a snapshot.
 */
class MetricsWindowsTest {
    private static final MetricsWorkflow.Settings SETTINGS = new MetricsWorkflow.Settings(
            Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(10));
    private static final long MINUTE = 60_000;

    private KeyedOneInputStreamOperatorTestHarness<String, MetricFact, MetricRow> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness();
        harness.open();
        harness.setProcessingTime(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @SuppressWarnings("unchecked")
    static KeyedOneInputStreamOperatorTestHarness<String, MetricFact, MetricRow> newHarness() throws Exception {
        Configuration conf = new Configuration();
        conf.setString("pipeline.generic-types", "false");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        DataStream<MetricFact> in = env.fromData(TypeInformation.of(MetricFact.class), new MetricFact());
        var op = MetricsWorkflow.window(in.keyBy(MetricFact::windowKey, Types.STRING), MetricsWorkflow.Size.MINUTE, SETTINGS);
        var factory = (SimpleOperatorFactory<MetricRow>)
                ((OneInputTransformation<MetricFact, MetricRow>) op.getTransformation()).getOperatorFactory();
        return new KeyedOneInputStreamOperatorTestHarness<>((OneInputStreamOperator<MetricFact, MetricRow>) factory.getOperator(),
                MetricFact::windowKey, Types.STRING);
    }

    static MetricFact chunk(String task, long atMs, long events) {
        MetricFact f = MetricFact.of("t-" + atMs, "p1", task, "repo", atMs);
        f.chunks = 1;
        f.events = events;
        f.bytes = events * 100;
        f.latencyMs = 40;
        return f;
    }

    void send(MetricFact... facts) throws Exception {
        for (MetricFact f : facts) {
            harness.processElement(new StreamRecord<>(f.under(Dimensions.TASK, f.taskId), f.atMs));
        }
    }

    /** The newest emission per (task, window start): what the table holds after the upserts. */
    static Map<String, MetricRow> table(List<MetricRow> rows) {
        Map<String, MetricRow> t = new TreeMap<>();
        rows.forEach(r -> t.put(r.key + "@" + r.windowStartMs / MINUTE, r));
        return t;
    }

    @Test
    void countsOutOfOrderFactsInTheirWindows() throws Exception {
        send(chunk("A", 61_000, 5), chunk("A", 10_000, 3), chunk("A", 70_000, 2), chunk("A", 59_999, 1), chunk("B", 30_000, 7));
        harness.processWatermark(120_000);
        Map<String, MetricRow> t = table(harness.extractOutputValues());
        assertThat(t).containsOnlyKeys("A@0", "A@1", "B@0");
        assertThat(t.get("A@0").events).isEqualTo(4);
        assertThat(t.get("A@0").chunks).isEqualTo(2);
        assertThat(t.get("A@1").events).isEqualTo(7);
        assertThat(t.get("B@0").events).isEqualTo(7);
        assertThat(t.get("A@0").dimension).isEqualTo(Dimensions.TASK);
        assertThat(t.get("A@0").windowEndMs).isEqualTo(MINUTE);
        assertThat(t.get("A@0").latencyJson).contains("\"p99\":40");
    }

    @Test
    void aLateFactCorrectsItsWindow() throws Exception {
        send(chunk("A", 10_000, 3));
        harness.processWatermark(2 * MINUTE);
        assertThat(table(harness.extractOutputValues()).get("A@0").events).isEqualTo(3);
        send(chunk("A", 20_000, 4)); // the watermark has passed the window; within the allowed lateness
        harness.setProcessingTime(1_000);
        List<MetricRow> rows = harness.extractOutputValues();
        assertThat(rows.get(rows.size() - 1).events).isEqualTo(7);
        assertThat(rows.get(rows.size() - 1).chunks).isEqualTo(2);
        assertThat(harness.getSideOutput(MetricsWorkflow.LATE)).isNullOrEmpty();
    }

    @Test
    void aFactLaterThanTheAllowedLatenessGoesToTheSideOutput() throws Exception {
        send(chunk("A", 10_000, 3));
        harness.processWatermark(MINUTE + Duration.ofMinutes(10).toMillis() + 1);
        int emitted = harness.extractOutputValues().size();
        send(chunk("A", 20_000, 4));
        harness.setProcessingTime(5_000);
        assertThat(harness.extractOutputValues()).hasSize(emitted);
        assertThat(harness.getSideOutput(MetricsWorkflow.LATE)).singleElement()
                .satisfies(r -> assertThat(r.getValue().events).isEqualTo(4));
        assertThat(harness.numKeyedStateEntries()).isZero(); // the window's state went with its lateness
    }

    @Test
    void anOpenWindowIsEmittedLiveAtMostOncePerInterval() throws Exception {
        send(chunk("A", 10_000, 1), chunk("A", 11_000, 1), chunk("A", 12_000, 1));
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(1_000);
        assertThat(harness.extractOutputValues()).singleElement().satisfies(r -> assertThat(r.events).isEqualTo(3));
        harness.setProcessingTime(10_000); // nothing new arrived: nothing is emitted again
        assertThat(harness.extractOutputValues()).hasSize(1);
        send(chunk("A", 13_000, 1));
        harness.setProcessingTime(11_000);
        assertThat(harness.extractOutputValues()).hasSize(2).last().satisfies(r -> assertThat(r.events).isEqualTo(4));
    }

    /**
     * A restart from a checkpoint replays the facts after it: the restored window holds what it held
     * at the checkpoint, the replayed facts are added once, and the re-emitted rows carry the same
     * totals as a run without the failure — an upsert of them changes nothing.
     */
    @Test
    void reEmissionAfterARestoreFromACheckpointIsIdempotent() throws Exception {
        List<MetricFact> before = List.of(chunk("A", 10_000, 3), chunk("B", 20_000, 5), chunk("A", 65_000, 1));
        List<MetricFact> after = List.of(chunk("A", 30_000, 2), chunk("B", 70_000, 4), chunk("A", 50_000, 6));

        // a run without failure
        send(before.toArray(MetricFact[]::new));
        OperatorSubtaskState checkpoint = harness.snapshot(1, 500);
        send(after.toArray(MetricFact[]::new));
        harness.setProcessingTime(1_000);
        harness.processWatermark(3 * MINUTE);
        Map<String, MetricRow> expected = table(harness.extractOutputValues());

        // the failure: a new operator restores the checkpoint, and the source replays what followed it
        KeyedOneInputStreamOperatorTestHarness<String, MetricFact, MetricRow> restored = newHarness();
        restored.setup();
        restored.initializeState(checkpoint);
        restored.open();
        restored.setProcessingTime(0);
        for (MetricFact f : after) {
            restored.processElement(new StreamRecord<>(f.under(Dimensions.TASK, f.taskId), f.atMs));
        }
        restored.setProcessingTime(1_000);
        restored.processWatermark(3 * MINUTE);
        Map<String, MetricRow> replayed = table(restored.extractOutputValues());
        restored.close();

        assertThat(replayed.keySet()).isEqualTo(expected.keySet());
        List<String> want = new ArrayList<>();
        List<String> got = new ArrayList<>();
        expected.forEach((k, r) -> want.add(k + " events=" + r.events + " chunks=" + r.chunks + " bytes=" + r.bytes));
        replayed.forEach((k, r) -> got.add(k + " events=" + r.events + " chunks=" + r.chunks + " bytes=" + r.bytes));
        assertThat(got).isEqualTo(want).containsExactly("A@0 events=11 chunks=3 bytes=1100", "A@1 events=1 chunks=1 bytes=100",
                "B@0 events=5 chunks=1 bytes=500", "B@1 events=4 chunks=1 bytes=400");
    }
}
