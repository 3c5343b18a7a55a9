package dev.prtelemetry.flink.job;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A finished trace's events, read back from its chunk rows ({@code trace_event_chunks}) for its
 * document. The chunk sink and the document writer are two branches of the job: a trace's last
 * rows may still be in the sink's batch when the writer asks, so it waits (polling) until all
 * {@code chunkCount} rows are there — they are written by at-least-once, idempotent inserts that
 * flush every {@code PRT_JDBC_BATCH_INTERVAL_MS} — and gives up after {@code maxWaitMs}, which
 * fails the task: the job restarts from its checkpoint and the rows are written again.
 */
public class ChunkRows implements DocumentWriter.ChunkSource, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private final String url;
    private final String user;
    private final String password;
    private final long maxWaitMs;
    private transient Connection connection;

    public ChunkRows(String url, String user, String password, long maxWaitMs) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public List<byte[]> events(String traceId, long chunkCount, Gone gone) throws Exception {
        long deadline = System.currentTimeMillis() + maxWaitMs;
        long pause = 20;
        while (true) {
            List<byte[]> rows = read(traceId, chunkCount);
            if (rows.size() == chunkCount) {
                return rows;
            }
            if (gone.check()) {
                return null;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("trace " + traceId + ": " + rows.size() + " of its " + chunkCount
                        + " chunk rows are in PostgreSQL after " + maxWaitMs + " ms; its document cannot be written yet");
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 500);
        }
    }

    private List<byte[]> read(String traceId, long chunkCount) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, user, password);
        }
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT chunk_seq, events FROM trace_event_chunks WHERE trace_id = ? AND chunk_seq < ? ORDER BY chunk_seq")) {
            ps.setString(1, traceId);
            ps.setLong(2, chunkCount);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(1) != out.size()) {
                        return out; // a row in the middle is missing: not all there yet
                    }
                    out.add(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (SQLException e) {
            connection.close();
            connection = null;
            throw e;
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
