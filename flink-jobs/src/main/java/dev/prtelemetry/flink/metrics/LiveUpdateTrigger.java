package dev.prtelemetry.flink.metrics;

import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Fires a window when the watermark passes its end (the event-time result), and also at most
 * once per {@code interval} of processing time while facts arrive — early for a window still
 * open, again for one corrected by a late fact. Live dashboards see a minute's count move
 * within the interval instead of after the minute and the watermark's delay; every firing
 * carries the window's whole content (FIRE, never PURGE), so a later firing replaces an
 * earlier one. A window nothing arrives in does not fire again.
 */
public class LiveUpdateTrigger extends Trigger<Object, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private final ValueStateDescriptor<Long> pending = new ValueStateDescriptor<>("live-update-at", Types.LONG);

    public LiveUpdateTrigger(Duration interval) {
        this.intervalMs = interval.toMillis();
    }

    @Override
    public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx) throws Exception {
        if (window.maxTimestamp() > ctx.getCurrentWatermark()) {
            ctx.registerEventTimeTimer(window.maxTimestamp());
        }
        ValueState<Long> at = ctx.getPartitionedState(pending);
        if (at.value() == null) {
            long fireAt = ctx.getCurrentProcessingTime() + intervalMs;
            ctx.registerProcessingTimeTimer(fireAt);
            at.update(fireAt);
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) throws Exception {
        ctx.getPartitionedState(pending).clear();
        return TriggerResult.FIRE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
        return time == window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) throws Exception {
        ctx.deleteEventTimeTimer(window.maxTimestamp());
        ValueState<Long> at = ctx.getPartitionedState(pending);
        if (at.value() != null) {
            ctx.deleteProcessingTimeTimer(at.value());
        }
        at.clear();
    }

    @Override
    public String toString() {
        return "LiveUpdateTrigger(" + intervalMs + " ms)";
    }
}
