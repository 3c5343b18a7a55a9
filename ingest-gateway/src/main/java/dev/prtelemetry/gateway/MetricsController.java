package dev.prtelemetry.gateway;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Instant;

/** {@code GET /v1/metrics}: the live metrics windows ({@link MetricsReads}); a researcher token. */
@Controller("/v1/metrics")
public class MetricsController {
    private final Access access;
    private final MetricsReads reads;

    public MetricsController(Access access, MetricsReads reads) {
        this.access = access;
        this.reads = reads;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String windows(HttpRequest<?> request, @QueryValue(defaultValue = "1m") String window,
                          @QueryValue @Nullable String from, @QueryValue @Nullable String to,
                          @QueryValue @Nullable String task, @QueryValue @Nullable String participant,
                          @QueryValue @Nullable String repo) {
        access.researcher(request, "reading metrics");
        return reads.windows(MetricsReads.Query.of(window, task, participant, repo, instant(from, "from"), instant(to, "to"))).toString();
    }

    static Instant instant(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            throw Problem.badRequest("bad-time", name + " must be an ISO-8601 instant such as 2026-11-26T12:00:00Z");
        }
    }
}
