package dev.prtelemetry.gateway;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.sql.SQLException;

/**
 * A PostgreSQL failure (reads, consent records, erasure, the retention sweep) is a retryable 503
 * problem+json, logged with its cause — never Micronaut's bare 500 page. Every write that can
 * fail this way is a transaction or an idempotent upsert, so a retry is safe.
 */
@Produces
@Singleton
@Requires(classes = {SQLException.class, ExceptionHandler.class})
public class DatabaseProblemHandler implements ExceptionHandler<SQLException, HttpResponse<?>> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DatabaseProblemHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, SQLException e) {
        LOG.warn("database error on {} {}", request.getMethod(), request.getPath(), e);
        return ProblemHandler.render(new Problem(503, "unavailable", "Service unavailable",
                "the database failed this request (" + e.getSQLState() + "); retry later", java.util.List.of(), 5L), request.getPath());
    }
}
