package dev.prtelemetry.flink.metrics;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The live metrics: facts from the assembly and the QA stages → event time (the gateway's
 * receive time, bounded out-of-orderness) → fanned out per dimension → tumbling one-minute and
 * one-hour windows with allowed lateness, fired early by {@link LiveUpdateTrigger} → one
 * {@link MetricRow} per window and key each time it changes. Results are idempotent: a row is the
 * window's whole content, so a late fact, a re-emission after a restore or a replay rewrites the
 * same key with the corrected value. Facts later than the allowed lateness go to {@link #LATE}.
 */
public final class MetricsWorkflow {
    public static final OutputTag<MetricFact> LATE = new OutputTag<>("late-metric-facts", TypeInformation.of(MetricFact.class));

    /** How late facts may be, how often a changing window is re-emitted, when a silent input stops holding time back. */
    public record Settings(Duration outOfOrderness, Duration allowedLateness, Duration updateInterval, Duration idleness)
            implements java.io.Serializable {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(10));
        }

        /** {@code PRT_METRICS_OUT_OF_ORDERNESS}, {@code _LATENESS}, {@code _UPDATE_INTERVAL}, {@code _IDLENESS} (durations: 5s, 10m, 500ms). */
        public static Settings fromEnv(java.util.Map<String, String> env) {
            Settings d = defaults();
            return new Settings(duration(env, "PRT_METRICS_OUT_OF_ORDERNESS", d.outOfOrderness()),
                    duration(env, "PRT_METRICS_LATENESS", d.allowedLateness()),
                    duration(env, "PRT_METRICS_UPDATE_INTERVAL", d.updateInterval()),
                    duration(env, "PRT_METRICS_IDLENESS", d.idleness()));
        }

        /** Whether the deployment runs the metrics windows ({@code PRT_METRICS}: on, the default, or off). */
        public static boolean enabled(java.util.Map<String, String> env) {
            String v = env.getOrDefault("PRT_METRICS", "on").trim().toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "on", "true", "1", "" -> true;
                case "off", "false", "0" -> false;
                default -> throw new IllegalArgumentException("PRT_METRICS is on or off, not " + v);
            };
        }

        private static Duration duration(java.util.Map<String, String> env, String name, Duration fallback) {
            String v = env.get(name);
            try {
                return v == null || v.isBlank() ? fallback : dev.prtelemetry.schemas.stream.Topics.parseDuration(v);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + " is a duration such as 5s, 10m or 500ms, not " + v, e);
            }
        }
    }

    /** The two window sizes and their names in rows, the table and the API. */
    public enum Size {
        MINUTE("1m", Duration.ofMinutes(1)), HOUR("1h", Duration.ofHours(1));

        public final String label;
        public final Duration length;

        Size(String label, Duration length) {
            this.label = label;
            this.length = length;
        }
    }

    private MetricsWorkflow() {
    }

    /** Event time for one input of facts (each input its own watermarks and idleness). */
    public static DataStream<MetricFact> withEventTime(DataStream<MetricFact> facts, Settings settings, String uid) {
        return facts.assignTimestampsAndWatermarks(WatermarkStrategy.<MetricFact>forBoundedOutOfOrderness(settings.outOfOrderness())
                        .withTimestampAssigner((f, ts) -> f.atMs)
                        .withIdleness(settings.idleness()))
                .uid(uid).name("metric facts: event time");
    }

    /** The windows over facts that already carry event time; the result carries {@link #LATE} per size. */
    public static Windows define(DataStream<MetricFact> facts, Settings settings) {
        KeyedStream<MetricFact, String> keyed = facts.flatMap(new Dimensions())
                .returns(TypeInformation.of(MetricFact.class))
                .uid("metric-dimensions").name("metric facts per dimension")
                .keyBy(MetricFact::windowKey, Types.STRING);
        SingleOutputStreamOperator<MetricRow> minutes = window(keyed, Size.MINUTE, settings);
        SingleOutputStreamOperator<MetricRow> hours = window(keyed, Size.HOUR, settings);
        return new Windows(minutes.union(hours), minutes.getSideOutput(LATE));
    }

    /** Rows of both sizes, and the facts too late for the minute windows (the hour windows see the same ones and more). */
    public record Windows(DataStream<MetricRow> rows, DataStream<MetricFact> late) {
    }

    static SingleOutputStreamOperator<MetricRow> window(KeyedStream<MetricFact, String> keyed, Size size, Settings settings) {
        return keyed.window(TumblingEventTimeWindows.of(size.length))
                .trigger(new LiveUpdateTrigger(settings.updateInterval()))
                .allowedLateness(settings.allowedLateness())
                .sideOutputLateData(LATE)
                .aggregate(new Accumulate(), new Emit(size.label),
                        TypeInformation.of(MetricWindow.class), TypeInformation.of(MetricWindow.class),
                        TypeInformation.of(MetricRow.class))
                .uid("metrics-" + size.label).name("metrics per " + size.label);
    }

    /** Adds facts to a window's counts. */
    public static final class Accumulate implements AggregateFunction<MetricFact, MetricWindow, MetricWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public MetricWindow createAccumulator() {
            return new MetricWindow();
        }

        @Override
        public MetricWindow add(MetricFact fact, MetricWindow acc) {
            acc.add(fact);
            return acc;
        }

        @Override
        public MetricWindow getResult(MetricWindow acc) {
            return acc;
        }

        @Override
        public MetricWindow merge(MetricWindow a, MetricWindow b) {
            return a.merge(b);
        }
    }

    /** Turns a window's counts into an immutable row, keyed by its size, dimension, key and start. */
    public static final class Emit extends ProcessWindowFunction<MetricWindow, MetricRow, String, TimeWindow> {
        private static final long serialVersionUID = 1L;
        private final String size;

        public Emit(String size) {
            this.size = size;
        }

        @Override
        public void process(String windowKey, Context ctx, Iterable<MetricWindow> counts, Collector<MetricRow> out) {
            int sep = windowKey.indexOf('\u0000');
            MetricWindow w = counts.iterator().next();
            out.collect(MetricRow.of(size, ctx.window().getStart(), ctx.window().getEnd(), windowKey.substring(0, sep),
                    windowKey.substring(sep + 1), w, ctx.currentProcessingTime()));
        }
    }
}
