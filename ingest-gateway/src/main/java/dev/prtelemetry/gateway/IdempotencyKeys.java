package dev.prtelemetry.gateway;

import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;

/**
 * Binds each Idempotency-Key of a trace to the digest of the chunk first sent with it (in
 * PostgreSQL, so every gateway replica sees it and a restart forgets nothing). The same key with
 * the same chunk is a retry and passes; with another chunk it is refused — before, both were
 * acknowledged. Runs on the blocking pool, never on the event loop.
 */
@Singleton
public class IdempotencyKeys {
    private final DataSource dataSource;
    private final ExecutorService blocking;

    public IdempotencyKeys(DataSource dataSource, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.dataSource = dataSource;
        this.blocking = blocking;
    }

    /** Completes with null when the key may be used for {@code digest}; with a {@link Problem} when it may not. */
    public CompletableFuture<Problem> claim(String traceId, String key, String digest) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO idempotency_keys (trace_id, key, digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                    ps.setString(1, traceId);
                    ps.setString(2, key);
                    ps.setString(3, digest);
                    if (ps.executeUpdate() == 1) {
                        return null;
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT digest FROM idempotency_keys WHERE trace_id = ? AND key = ?")) {
                    ps.setString(1, traceId);
                    ps.setString(2, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return null; // an erased trace: the trigger dropped the row; the upload is refused elsewhere
                        }
                        String first = rs.getString(1);
                        return first.equals(digest) ? null : new Problem(422, "idempotency-key-reused",
                                "The Idempotency-Key was used for another chunk",
                                "Idempotency-Key '" + key + "' was first sent with a chunk of digest " + first + ", this chunk's is "
                                        + digest + "; a retry must resend the same chunk, a new chunk needs a new key; nothing was stored");
                    }
                }
            } catch (SQLException e) {
                return Problem.unavailable("the database did not answer (" + e.getClass().getSimpleName() + ")");
            }
        }, blocking);
    }

    /** Forgets keys older than {@code days} days (a retry comes within minutes; the recorder keeps a chunk's key for its life). */
    public int sweep(int days) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(days => ?)")) {
            ps.setInt(1, days);
            return ps.executeUpdate();
        }
    }
}
