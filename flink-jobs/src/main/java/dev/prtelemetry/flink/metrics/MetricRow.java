package dev.prtelemetry.flink.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One window's counts for one key, as emitted: a row of {@code metric_windows} (upserted on
 * window size, dimension, key and start) and a record of {@code prt.metrics} (compacted, keyed
 * by {@link #id}). A window is emitted again whenever it changes, a late fact included; the
 * newest emission is the window's value. Immutable once built: the window's accumulator goes on
 * changing after this is emitted.
 */
public class MetricRow {
    public String windowSize;
    public long windowStartMs;
    public long windowEndMs;
    public String dimension;
    public String key;
    public long events;
    public long chunks;
    public long bytes;
    public long opened;
    public long completed;
    public long rejected;
    public long abandoned;
    public long duplicates;
    public String latencyJson;
    public String verdictsJson;
    public String sandboxJson;
    public String scoresJson;
    public long updatedAtMs;
    /** Set only on a tombstone: the id of a window withdrawn from {@code prt.metrics} (an erased participant's). */
    public String tombstoneId;

    public MetricRow() {
    }

    /** A tombstone for the compacted topic: the window with this id is withdrawn (it is never a table row). */
    public static MetricRow tombstone(String id) {
        MetricRow r = new MetricRow();
        r.tombstoneId = id;
        return r;
    }

    public boolean isTombstone() {
        return tombstoneId != null;
    }

    public static MetricRow of(String windowSize, long startMs, long endMs, String dimension, String key, MetricWindow w,
                               long nowMs) {
        MetricRow r = new MetricRow();
        r.windowSize = windowSize;
        r.windowStartMs = startMs;
        r.windowEndMs = endMs;
        r.dimension = dimension;
        r.key = key;
        r.events = w.events;
        r.chunks = w.chunks;
        r.bytes = w.bytes;
        r.opened = w.opened;
        r.completed = w.completed;
        r.rejected = w.rejected;
        r.abandoned = w.abandoned;
        r.duplicates = w.duplicates;
        ObjectNode latency = StrictJson.mapper().createObjectNode();
        latency.put("count", w.latencyCount);
        if (w.latencyCount > 0) {
            latency.put("p50", w.latencyPercentileMs(50));
            latency.put("p90", w.latencyPercentileMs(90));
            latency.put("p99", w.latencyPercentileMs(99));
            latency.put("max", w.latencyMaxMs);
        }
        r.latencyJson = latency.toString();
        ObjectNode verdicts = StrictJson.mapper().createObjectNode();
        new TreeMap<>(w.verdicts).forEach(verdicts::put);
        r.verdictsJson = verdicts.toString();
        ObjectNode sandbox = StrictJson.mapper().createObjectNode();
        sandbox.put("count", w.sandboxCount);
        sandbox.put("total", w.sandboxMsTotal);
        sandbox.put("max", w.sandboxMsMax);
        r.sandboxJson = sandbox.toString();
        ObjectNode scores = StrictJson.mapper().createObjectNode();
        for (Map.Entry<String, Map<String, ScoreStats>> rubric : w.scoresByRubric().entrySet()) {
            ObjectNode dims = scores.putObject(rubric.getKey());
            rubric.getValue().forEach((dim, s) -> {
                ObjectNode d = dims.putObject(dim);
                d.put("count", s.count);
                d.put("mean", Math.round(s.mean() * 1000) / 1000.0);
                ArrayNode b = d.putArray("buckets");
                for (long n : s.buckets) {
                    b.add(n);
                }
            });
        }
        r.scoresJson = scores.toString();
        r.updatedAtMs = nowMs;
        return r;
    }

    /** The compacted topic's key: one record per window and key survives compaction. */
    public String id() {
        if (tombstoneId != null) {
            return tombstoneId;
        }
        return windowSize + "|" + dimension + "|" + key + "|" + Instant.ofEpochMilli(windowStartMs);
    }

    /** The record of {@code prt.metrics}; {@code GET /v1/metrics} answers with the same members. */
    public String json() {
        ObjectNode n = StrictJson.mapper().createObjectNode();
        n.put("id", id());
        n.put("window", windowSize);
        n.put("start", Instant.ofEpochMilli(windowStartMs).toString());
        n.put("end", Instant.ofEpochMilli(windowEndMs).toString());
        n.put("dimension", dimension);
        n.put("key", key);
        n.put("events", events);
        n.put("chunks", chunks);
        n.put("bytes", bytes);
        ObjectNode traces = n.putObject("traces");
        traces.put("opened", opened);
        traces.put("completed", completed);
        traces.put("rejected", rejected);
        traces.put("abandoned", abandoned);
        n.put("duplicates_dropped", duplicates);
        n.set("latency_ms", StrictJson.parse(latencyJson));
        n.set("verdicts", StrictJson.parse(verdictsJson));
        n.set("sandbox_ms", StrictJson.parse(sandboxJson));
        n.set("scores", StrictJson.parse(scoresJson));
        n.put("updated_at", Instant.ofEpochMilli(updatedAtMs).toString());
        return n.toString();
    }
}
