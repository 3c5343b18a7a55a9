package dev.prtelemetry.flink.qa;

import dev.prtelemetry.flink.assembly.TraceDocuments;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finished traces' documents rebuilt from PostgreSQL, many traces per query: each trace's
 * skeleton (the document less its events, stored with its final row) with its chunk rows spliced
 * in by {@link TraceDocuments#assemble}, the function the document writer used — so the bytes
 * are the document's, which the caller proves against the claim check's SHA-256 before using
 * them. A trace without a stored skeleton (finished before it was kept), with a chunk row
 * missing, or erased, is left out: its reader falls back to the object store.
 */
public final class StoredDocuments implements AutoCloseable {
    private final String url;
    private final String user;
    private final String password;
    private Connection connection;

    public StoredDocuments(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** The documents of those of {@code traceIds} that can be rebuilt, by trace id. */
    public Map<String, byte[]> rebuild(List<String> traceIds) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, user, password);
        }
        Map<String, byte[]> skeletons = new HashMap<>();
        Map<String, Long> chunkCounts = new HashMap<>();
        Map<String, List<byte[]>> chunks = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT trace_id, skeleton, chunk_count FROM traces WHERE trace_id = ANY (?) AND skeleton IS NOT NULL")) {
            ps.setArray(1, connection.createArrayOf("text", traceIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    skeletons.put(rs.getString(1), rs.getString(2).getBytes(StandardCharsets.UTF_8));
                    chunkCounts.put(rs.getString(1), rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            closeQuietly();
            throw e;
        }
        if (skeletons.isEmpty()) {
            return Map.of();
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT trace_id, chunk_seq, events FROM trace_event_chunks"
                + " WHERE trace_id = ANY (?) ORDER BY trace_id, chunk_seq")) {
            ps.setArray(1, connection.createArrayOf("text", skeletons.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<byte[]> rows = chunks.computeIfAbsent(rs.getString(1), k -> new ArrayList<>());
                    if (rs.getLong(2) == rows.size() && rows.size() < chunkCounts.get(rs.getString(1))) {
                        rows.add(rs.getString(3).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (SQLException e) {
            closeQuietly();
            throw e;
        }
        Map<String, byte[]> out = new HashMap<>();
        skeletons.forEach((traceId, skeleton) -> {
            List<byte[]> rows = chunks.getOrDefault(traceId, List.of());
            if (rows.size() == chunkCounts.get(traceId)) {
                out.put(traceId, TraceDocuments.assemble(skeleton, rows));
            }
        });
        return out;
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // a broken connection: the next call opens a new one
        }
        connection = null;
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
