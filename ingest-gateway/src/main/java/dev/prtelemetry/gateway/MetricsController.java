package dev.prtelemetry.gateway;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

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
        return reads.windows(MetricsReads.Query.of(window, task, participant, repo, QueryValues.instant(from, "from"), QueryValues.instant(to, "to"))).toString();
    }
}
