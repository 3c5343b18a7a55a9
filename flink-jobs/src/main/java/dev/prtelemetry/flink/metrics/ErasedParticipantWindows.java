package dev.prtelemetry.flink.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * An erased participant's metrics windows, keyed by participant: they do not come back, and what
 * the job emitted of them shortly before the erasure is withdrawn on the same path it took.
 *
 * <p>The windows' state still holds a participant's windows after an erasure (until their
 * lateness ends; the hour's window fires at the hour), and a window emitted just before it may sit
 * in the Kafka sink's open transaction when the gateway tombstones the participant's keys: that
 * record would be committed after the tombstone and bring the window back. So this function
 * <ul>
 *   <li>drops any emission of a window that started at or before the participant's latest erasure;</li>
 *   <li>remembers the windows it let through in the last {@link #REMEMBER_MS} (far longer than a
 *       checkpoint, and so than any open transaction), and on an erasure emits a tombstone for each
 *       of them, after them on the same operator and sink subtask, so in the topic's partition
 *       after them and in the same or a later transaction.</li>
 * </ul>
 * The first time a participant is seen without state (a new job, or state lost), their latest
 * erasure is looked up ({@link ErasureLookup}); after that the erase records keep it current.
 * Output: rows to write, and tombstones ({@link MetricRow#tombstone}) for the topic only.
 */
public class ErasedParticipantWindows extends KeyedCoProcessFunction<String, MetricRow, ParticipantErasure, MetricRow> {
    private static final long serialVersionUID = 1L;
    public static final long REMEMBER_MS = 15 * 60_000L;

    /** The participant's latest erasure (epoch ms, or -1 when never) from the store of record. */
    @FunctionalInterface
    public interface ErasureLookup extends java.io.Serializable, AutoCloseable {
        long participantErasedAtMs(String participantId) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    private final ErasureLookup lookup;
    private transient ValueState<Long> erasedAt;     // -1: looked up, never erased
    private transient MapState<String, Long> emitted;     // window id → last emitted at (processing time)
    private transient MapState<String, Long> windowStart; // window id → the window's start

    public ErasedParticipantWindows(ErasureLookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public void open(OpenContext context) {
        erasedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("participant-erased-at", Types.LONG));
        emitted = getRuntimeContext().getMapState(new MapStateDescriptor<>("participant-windows-emitted", Types.STRING, Types.LONG));
        windowStart = getRuntimeContext().getMapState(new MapStateDescriptor<>("participant-windows-start", Types.STRING, Types.LONG));
    }

    @Override
    public void close() throws Exception {
        lookup.close();
    }

    @Override
    public void processElement1(MetricRow row, Context ctx, Collector<MetricRow> out) throws Exception {
        Long erased = erasedAt.value();
        if (erased == null) {
            erased = lookup.participantErasedAtMs(row.key);
            erasedAt.update(erased);
        }
        if (erased >= 0 && row.windowStartMs <= erased) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        out.collect(row);
        String id = row.id();
        emitted.put(id, now);
        windowStart.put(id, row.windowStartMs);
        // forget what was emitted long ago (its record is committed; the gateway's tombstones reach it)
        List<String> old = new ArrayList<>();
        for (Map.Entry<String, Long> e : emitted.entries()) {
            if (now - e.getValue() > REMEMBER_MS) {
                old.add(e.getKey());
            }
        }
        for (String o : old) {
            emitted.remove(o);
            windowStart.remove(o);
        }
    }

    @Override
    public void processElement2(ParticipantErasure erasure, Context ctx, Collector<MetricRow> out) throws Exception {
        Long erased = erasedAt.value();
        if (erased == null || erasure.erasedAtMs > erased) {
            erasedAt.update(erasure.erasedAtMs);
        }
        List<String> withdrawn = new ArrayList<>();
        for (Map.Entry<String, Long> e : windowStart.entries()) {
            if (e.getValue() <= erasure.erasedAtMs) {
                withdrawn.add(e.getKey());
            }
        }
        for (String id : withdrawn) {
            out.collect(MetricRow.tombstone(id));
            emitted.remove(id);
            windowStart.remove(id);
        }
    }
}
