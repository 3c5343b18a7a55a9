package dev.prtelemetry.flink.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one window counts for one key: the accumulator of the metrics windows, plain Java.
 * Adding is commutative, so the order facts arrive in (out of order, late) never changes a
 * window's result — only which facts it holds does.
 */
public class MetricWindow {
    /** Latency histogram: 8 buckets per power of two of milliseconds, up to 2^24 ms (4.6 h). */
    static final int SUB = 8;
    static final int LATENCY_BUCKETS = 24 * SUB + 1;

    public long events;
    public long chunks;
    public long bytes;
    public long opened;
    public long completed;
    public long rejected;
    public long abandoned;
    public long duplicates;
    public long[] latency = new long[LATENCY_BUCKETS];
    public long latencyCount;
    public long latencyMaxMs;
    public Map<String, Long> verdicts = new HashMap<>();
    public long sandboxCount;
    public long sandboxMsTotal;
    public long sandboxMsMax;
    public Map<String, ScoreStats> scores = new HashMap<>();

    public MetricWindow() {
    }

    public void add(MetricFact f) {
        events += f.events;
        chunks += f.chunks;
        bytes += f.bytes;
        opened += f.opened;
        completed += f.completed;
        rejected += f.rejected;
        abandoned += f.abandoned;
        duplicates += f.duplicates;
        if (f.latencyMs >= 0) {
            latency[latencyBucket(f.latencyMs)]++;
            latencyCount++;
            latencyMaxMs = Math.max(latencyMaxMs, f.latencyMs);
        }
        if (f.verdict != null) {
            verdicts.merge(f.verdict, 1L, Long::sum);
        }
        if (f.sandboxMs >= 0) {
            sandboxCount++;
            sandboxMsTotal += f.sandboxMs;
            sandboxMsMax = Math.max(sandboxMsMax, f.sandboxMs);
        }
        if (f.scoreName != null && !Double.isNaN(f.score)) {
            scores.computeIfAbsent(f.scoreName, k -> new ScoreStats()).add(f.score);
        }
    }

    public MetricWindow merge(MetricWindow o) {
        events += o.events;
        chunks += o.chunks;
        bytes += o.bytes;
        opened += o.opened;
        completed += o.completed;
        rejected += o.rejected;
        abandoned += o.abandoned;
        duplicates += o.duplicates;
        for (int i = 0; i < LATENCY_BUCKETS; i++) {
            latency[i] += o.latency[i];
        }
        latencyCount += o.latencyCount;
        latencyMaxMs = Math.max(latencyMaxMs, o.latencyMaxMs);
        o.verdicts.forEach((k, v) -> verdicts.merge(k, v, Long::sum));
        sandboxCount += o.sandboxCount;
        sandboxMsTotal += o.sandboxMsTotal;
        sandboxMsMax = Math.max(sandboxMsMax, o.sandboxMsMax);
        o.scores.forEach((k, v) -> scores.computeIfAbsent(k, x -> new ScoreStats()).merge(v));
        return this;
    }

    /** Bucket of a latency: exact below 8 ms, then 8 per doubling (at most 9 % wide). */
    static int latencyBucket(long ms) {
        if (ms < SUB) {
            return (int) Math.max(0, ms);
        }
        int exp = 63 - Long.numberOfLeadingZeros(ms); // floor(log2 ms) >= 3
        int sub = (int) ((ms >> (exp - 3)) & (SUB - 1));
        return Math.min(LATENCY_BUCKETS - 1, (exp - 2) * SUB + sub);
    }

    /** The largest latency a bucket holds (what a percentile reports: "at most this"). */
    static long bucketUpperMs(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exp = bucket / SUB + 2;
        int sub = bucket % SUB;
        return ((long) (SUB + sub + 1) << (exp - 3)) - 1;
    }

    /** The p-th percentile (0 < p ≤ 100) of the latencies, as the upper bound of its bucket; -1 when none. */
    public long latencyPercentileMs(double p) {
        if (latencyCount == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(p / 100.0 * latencyCount);
        long seen = 0;
        for (int i = 0; i < LATENCY_BUCKETS; i++) {
            seen += latency[i];
            if (seen >= rank) {
                return Math.min(bucketUpperMs(i), latencyMaxMs);
            }
        }
        return latencyMaxMs;
    }

    /** Scores grouped by rubric: {@code rubric → dimension → stats}, sorted. */
    public Map<String, Map<String, ScoreStats>> scoresByRubric() {
        Map<String, Map<String, ScoreStats>> out = new TreeMap<>();
        scores.forEach((name, stats) -> {
            int slash = name.indexOf('/');
            String rubric = slash < 0 ? name : name.substring(0, slash);
            String dimension = slash < 0 ? "overall" : name.substring(slash + 1);
            out.computeIfAbsent(rubric, r -> new TreeMap<>()).put(dimension, stats);
        });
        return out;
    }
}
