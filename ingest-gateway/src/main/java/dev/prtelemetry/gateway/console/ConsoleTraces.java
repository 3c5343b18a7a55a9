package dev.prtelemetry.gateway.console;

import dev.prtelemetry.gateway.Problem;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.sql.DataSource;

/**
 * The console's list of traces: the API's filters (state, participant, task, time) plus the
 * sandbox verdict and a minimum overall score, newest first, keyset-paged. Each row carries the
 * newest verification verdict and the newest overall score.
 */
@Singleton
public class ConsoleTraces {
    private final DataSource dataSource;

    public ConsoleTraces(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    record Filter(String state, String verdict, String participant, String task, Instant from, Instant to, Double minScore) {
    }

    record Row(String traceId, String participant, String task, String state, long events, Instant createdAt,
               String integrity, String verdict, Double overall, String rubric) {
    }

    record Page(List<Row> rows, String nextCursor) {
    }

    Page list(Filter f, String cursor, int limit) {
        StringBuilder sql = new StringBuilder("""
                SELECT t.trace_id, t.participant_id, t.task_id, t.state, t.event_count, t.created_at, t.verdict,
                       v.verdict AS qa_verdict, j.overall, j.rubric
                FROM traces t
                LEFT JOIN LATERAL (SELECT verdict FROM qa_validations q WHERE q.trace_id = t.trace_id
                                   ORDER BY created_at DESC LIMIT 1) v ON true
                LEFT JOIN LATERAL (SELECT overall, rubric FROM qa_judgements q WHERE q.trace_id = t.trace_id AND overall IS NOT NULL
                                   ORDER BY created_at DESC LIMIT 1) j ON true
                WHERE true""");
        List<Object> args = new ArrayList<>();
        if (f.state() != null) {
            sql.append(" AND t.state = ?");
            args.add(f.state());
        }
        if (f.participant() != null) {
            sql.append(" AND t.participant_id = ?");
            args.add(f.participant());
        }
        if (f.task() != null) {
            sql.append(" AND t.task_id = ?");
            args.add(f.task());
        }
        if (f.from() != null) {
            sql.append(" AND t.created_at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND t.created_at < ?");
            args.add(Timestamp.from(f.to()));
        }
        if (f.verdict() != null) {
            if (f.verdict().equals("none")) {
                sql.append(" AND v.verdict IS NULL");
            } else {
                sql.append(" AND v.verdict = ?");
                args.add(f.verdict());
            }
        }
        if (f.minScore() != null) {
            sql.append(" AND j.overall >= ?");
            args.add(f.minScore());
        }
        if (cursor != null && !cursor.isBlank()) {
            String[] c = decode(cursor);
            sql.append(" AND (t.created_at, t.trace_id) < (?, ?)");
            args.add(Timestamp.from(Instant.parse(c[0])));
            args.add(c[1]);
        }
        sql.append(" ORDER BY t.created_at DESC, t.trace_id DESC LIMIT ?");
        args.add(limit + 1);
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double overall = rs.getDouble("overall");
                    Double o = rs.wasNull() ? null : overall;
                    rows.add(new Row(rs.getString("trace_id"), rs.getString("participant_id"), rs.getString("task_id"),
                            rs.getString("state"), rs.getLong("event_count"), rs.getTimestamp("created_at").toInstant(),
                            rs.getString("verdict"), rs.getString("qa_verdict"), o, rs.getString("rubric")));
                }
            }
        } catch (SQLException e) {
            throw Problem.database(e);
        }
        String next = null;
        if (rows.size() > limit) {
            Row last = rows.get(limit - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString((last.createdAt() + "|" + last.traceId())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            rows = rows.subList(0, limit);
        }
        return new Page(rows, next);
    }

    private static String[] decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8).split("\\|", 2);
            Instant.parse(parts[0]);
            return parts;
        } catch (RuntimeException e) {
            throw Problem.badRequest("bad-cursor", "the cursor is not one this console gave");
        }
    }
}
