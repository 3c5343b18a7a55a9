package dev.prtelemetry.flink.qa;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** {@code qa_validations} in PostgreSQL. */
public final class JdbcResultStore implements ResultStore {
    private final String url;
    private final String user;
    private final String password;
    private Connection connection;

    public JdbcResultStore(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    public static Factory factory(String url, String user, String password) {
        return () -> new JdbcResultStore(url, user, password);
    }

    private Connection connection() throws SQLException {
        if (connection == null || !connection.isValid(2)) {
            connection = DriverManager.getConnection(url, user, password);
        }
        return connection;
    }

    @Override
    public synchronized Optional<QaResult> find(String traceId, String traceDigest, String verifier) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("SELECT verdict, resolved, error, sandbox, result::text,"
                + " created_at FROM qa_validations WHERE trace_id = ? AND trace_digest = ? AND verifier = ? AND verdict <> 'waiting'")) {
            ps.setString(1, traceId);
            ps.setString(2, traceDigest);
            ps.setString(3, verifier);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                QaResult r = new QaResult();
                r.traceId = traceId;
                r.traceDigest = traceDigest;
                r.verifier = verifier;
                r.verdict = rs.getString(1);
                r.resolved = rs.getBoolean(2);
                r.error = rs.getString(3);
                r.sandbox = rs.getString(4);
                r.resultJson = rs.getString(5);
                r.createdAtMs = rs.getTimestamp(6).getTime();
                r.reused = true;
                return Optional.of(r);
            }
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}
