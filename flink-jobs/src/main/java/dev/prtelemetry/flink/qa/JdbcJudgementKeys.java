package dev.prtelemetry.flink.qa;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/** {@link TraceJudging.Stored} from {@code qa_judgements}: the (rubric, judge) keys stored for a trace digest. */
final class JdbcJudgementKeys implements TraceJudging.Stored, AutoCloseable {
    private final String url;
    private final String user;
    private final String password;
    private Connection connection;

    JdbcJudgementKeys(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public synchronized Set<String> keys(String traceDigest) throws SQLException {
        if (connection == null || !connection.isValid(2)) {
            connection = DriverManager.getConnection(url, user, password);
        }
        Set<String> keys = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT rubric, judge FROM qa_judgements WHERE trace_digest = ?")) {
            ps.setString(1, traceDigest);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(TraceJudging.key(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return keys;
    }

    @Override
    public synchronized void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}
