package dev.prtelemetry.gateway;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Renders {@link Problem}s as {@code application/problem+json}. */
@Produces
@Singleton
@Requires(classes = {Problem.class, ExceptionHandler.class})
public class ProblemHandler implements ExceptionHandler<Problem, HttpResponse<?>> {
    public static final String PROBLEM_JSON = "application/problem+json";
    private final RateLimiter limiter;

    public ProblemHandler(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /** A 401 counts against its source address: past the limit, guessing tokens gets 429s instead. */
    @Override
    public HttpResponse<?> handle(HttpRequest request, Problem problem) {
        if (problem.status() == 401) {
            String source = request.getRemoteAddress() == null || request.getRemoteAddress().getAddress() == null ? "unknown"
                    : request.getRemoteAddress().getAddress().getHostAddress();
            if (!limiter.unauthorized(source)) {
                return render(new Problem(429, "rate-limited", "Too many requests", "too many failed authentications from this "
                        + "address; retry after " + limiter.unauthorizedRetryAfter() + " s", java.util.List.of(),
                        limiter.unauthorizedRetryAfter()), request.getPath());
            }
        }
        return render(problem, request.getPath());
    }

    static MutableHttpResponse<String> render(Problem problem, String instance) {
        MutableHttpResponse<String> response = HttpResponse.<String>status(HttpStatus.valueOf(problem.status()))
                .contentType(PROBLEM_JSON)
                .body(problem.toJson(instance));
        if (problem.retryAfterSeconds() != null) {
            response.header("Retry-After", String.valueOf(problem.retryAfterSeconds()));
        }
        return response;
    }
}
