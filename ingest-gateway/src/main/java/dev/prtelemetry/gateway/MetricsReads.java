package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Reads of the live metrics the Flink job writes to {@code metric_windows}: one object per
 * window and key, with the members of the {@code prt.metrics} records ({@code GET /v1/metrics},
 * the console's dashboard).
 */
@Singleton
public class MetricsReads {
    public static final Set<String> SIZES = Set.of("1m", "1h");
    public static final Set<String> DIMENSIONS = Set.of("all", "task", "participant", "repo");
    static final int MAX_WINDOWS = 5_000;

    private final DataSource dataSource;

    public MetricsReads(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Which windows: size, dimension and key, and the window starts in [from, to). */
    public record Query(String size, String dimension, String key, Instant from, Instant to) {
        public Query {
            if (!SIZES.contains(size)) {
                throw Problem.badRequest("bad-window", "window is 1m or 1h, not " + size);
            }
            if (!DIMENSIONS.contains(dimension)) {
                throw Problem.badRequest("bad-dimension", "dimension is one of " + DIMENSIONS + ", not " + dimension);
            }
            if (!from.isBefore(to)) {
                throw Problem.badRequest("bad-time", "from must be before to");
            }
            long windows = Duration.between(from, to).toMinutes() / ("1m".equals(size) ? 1 : 60);
            if (windows > MAX_WINDOWS) {
                throw Problem.badRequest("bad-time", "at most " + MAX_WINDOWS + " windows per request: use window=1h or a shorter range");
            }
        }

        /** A filter by task, participant or repository (at most one), or overall. */
        public static Query of(String size, String task, String participant, String repo, Instant from, Instant to) {
            int given = (task == null ? 0 : 1) + (participant == null ? 0 : 1) + (repo == null ? 0 : 1);
            if (given > 1) {
                throw Problem.badRequest("bad-dimension", "filter by one of task, participant or repo");
            }
            String dimension = task != null ? "task" : participant != null ? "participant" : repo != null ? "repo" : "all";
            String key = task != null ? task : participant != null ? participant : repo != null ? repo : "";
            Instant end = to == null ? Instant.now() : to;
            Instant start = from == null ? end.minus("1m".equals(size) ? Duration.ofHours(1) : Duration.ofDays(1)) : from;
            return new Query(size == null ? "1m" : size, dimension, key, start, end);
        }
    }

    /** {@code {window, dimension, key, from, to, windows: [...], totals: {...}}}, windows oldest first. */
    public ObjectNode windows(Query q) {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.put("window", q.size());
        out.put("dimension", q.dimension());
        out.put("key", q.key());
        out.put("from", q.from().toString());
        out.put("to", q.to().toString());
        ArrayNode list = out.putArray("windows");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT + " WHERE window_size = ? AND dimension = ? AND key = ?"
                     + " AND window_start >= ? AND window_start < ? ORDER BY window_start LIMIT " + (MAX_WINDOWS + 1))) {
            ps.setString(1, q.size());
            ps.setString(2, q.dimension());
            ps.setString(3, q.key());
            ps.setTimestamp(4, Timestamp.from(q.from()));
            ps.setTimestamp(5, Timestamp.from(q.to()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(row(rs));
                }
            }
        } catch (SQLException e) {
            throw Problem.database(e);
        }
        out.set("totals", totals(list));
        return out;
    }

    /** Windows of one size, dimension and key changed after {@code since} (what the dashboard's stream sends), oldest change first. */
    public List<ObjectNode> changedSince(Query q, Instant since, Instant windowsFrom) throws SQLException {
        List<ObjectNode> out = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT + " WHERE updated_at > ? AND window_size = ? AND dimension = ?"
                     + " AND key = ? AND window_start >= ? ORDER BY updated_at LIMIT 2000")) {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setString(2, q.size());
            ps.setString(3, q.dimension());
            ps.setString(4, q.key());
            ps.setTimestamp(5, Timestamp.from(windowsFrom));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        return out;
    }

    /** The task ids with metrics in the last {@code days} days (the dashboard's filter). */
    public List<String> recentTasks(Instant since) {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT DISTINCT key FROM metric_windows WHERE window_size = '1h'"
                     + " AND dimension = 'task' AND window_start >= ? ORDER BY key LIMIT 500")) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw Problem.database(e);
        }
        return out;
    }

    private static final String SELECT = "SELECT window_size, dimension, key, window_start, window_end, events, chunks, bytes,"
            + " traces_opened, traces_completed, traces_rejected, traces_abandoned, duplicates_dropped, latency_ms::text,"
            + " verdicts::text, sandbox_ms::text, scores::text, updated_at FROM metric_windows";

    /** A row as the members of a {@code prt.metrics} record. */
    static ObjectNode row(ResultSet rs) throws SQLException {
        ObjectNode n = StrictJson.mapper().createObjectNode();
        Instant start = rs.getTimestamp(4).toInstant();
        n.put("id", rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + start);
        n.put("window", rs.getString(1));
        n.put("start", start.toString());
        n.put("end", rs.getTimestamp(5).toInstant().toString());
        n.put("dimension", rs.getString(2));
        n.put("key", rs.getString(3));
        n.put("events", rs.getLong(6));
        n.put("chunks", rs.getLong(7));
        n.put("bytes", rs.getLong(8));
        ObjectNode traces = n.putObject("traces");
        traces.put("opened", rs.getLong(9));
        traces.put("completed", rs.getLong(10));
        traces.put("rejected", rs.getLong(11));
        traces.put("abandoned", rs.getLong(12));
        n.put("duplicates_dropped", rs.getLong(13));
        n.set("latency_ms", StrictJson.parse(rs.getString(14)));
        n.set("verdicts", StrictJson.parse(rs.getString(15)));
        n.set("sandbox_ms", StrictJson.parse(rs.getString(16)));
        n.set("scores", StrictJson.parse(rs.getString(17)));
        n.put("updated_at", rs.getTimestamp(18).toInstant().toString());
        return n;
    }

    /** Sums of the counts over the windows (percentiles do not add up, so there are none here). */
    static ObjectNode totals(ArrayNode windows) {
        ObjectNode t = StrictJson.mapper().createObjectNode();
        long[] sums = new long[5];
        ObjectNode traces = StrictJson.mapper().createObjectNode();
        ObjectNode verdicts = StrictJson.mapper().createObjectNode();
        for (var w : windows) {
            sums[0] += w.path("events").asLong();
            sums[1] += w.path("chunks").asLong();
            sums[2] += w.path("bytes").asLong();
            sums[3] += w.path("duplicates_dropped").asLong();
            sums[4] += w.path("sandbox_ms").path("total").asLong();
            w.path("traces").fields().forEachRemaining(e -> traces.put(e.getKey(), traces.path(e.getKey()).asLong() + e.getValue().asLong()));
            w.path("verdicts").fields().forEachRemaining(e -> verdicts.put(e.getKey(), verdicts.path(e.getKey()).asLong() + e.getValue().asLong()));
        }
        t.put("events", sums[0]);
        t.put("chunks", sums[1]);
        t.put("bytes", sums[2]);
        for (String k : List.of("opened", "completed", "rejected", "abandoned")) {
            traces.put(k, traces.path(k).asLong());
        }
        t.set("traces", traces);
        t.put("duplicates_dropped", sums[3]);
        t.set("verdicts", verdicts);
        t.put("sandbox_ms_total", sums[4]);
        return t;
    }
}
