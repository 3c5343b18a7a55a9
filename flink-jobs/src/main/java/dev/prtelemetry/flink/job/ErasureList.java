package dev.prtelemetry.flink.job;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The erasure list ({@code erased_traces}) as the document writer consults it: an erased or
 * expired trace gets no document and no claim check, even when a replayed topic or a restored
 * checkpoint still holds its records. (Rows are refused by a trigger in PostgreSQL itself.)
 */
public class ErasureList implements Serializable, AutoCloseable, dev.prtelemetry.flink.metrics.ErasedParticipantWindows.ErasureLookup {
    private static final long serialVersionUID = 1L;
    private final String url;
    private final String user;
    private final String password;
    private transient Connection connection;

    public ErasureList(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    public synchronized boolean contains(String traceId) throws SQLException {
        if (connection == null || !connection.isValid(2)) {
            connection = DriverManager.getConnection(url, user, password);
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM erased_traces WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** When a participant's data was last erased on request (epoch ms), or -1 when it never was. */
    @Override
    public synchronized long participantErasedAtMs(String participantId) throws SQLException {
        if (connection == null || !connection.isValid(2)) {
            connection = DriverManager.getConnection(url, user, password);
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT max(requested_at) FROM erasures WHERE participant_id = ?")) {
            ps.setString(1, participantId);
            try (ResultSet rs = ps.executeQuery()) {
                java.sql.Timestamp at = rs.next() ? rs.getTimestamp(1) : null;
                return at == null ? -1 : at.getTime();
            }
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
