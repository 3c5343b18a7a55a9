package dev.prtelemetry.gateway;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** The read API: a trace, its document, its events, the list of traces ({@link TraceReads}). */
@Controller("/v1/traces")
public class TraceReadsController {
    private final Access access;
    private final TraceReads reads;

    public TraceReadsController(Access access, TraceReads reads) {
        this.access = access;
        this.reads = reads;
    }

    @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String getTrace(HttpRequest<?> request, @PathVariable String id,
                           @io.micronaut.http.annotation.QueryValue(defaultValue = "true") boolean events) {
        access.reader(request, id);
        return reads.fullView(id, events);
    }

    /** The assembled trace document (DESIGN.md's trace format) as stored, byte for byte, once the trace has ended. */
    @Get(uri = "/{id}/document", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public byte[] getDocument(HttpRequest<?> request, @PathVariable String id) {
        access.reader(request, id);
        return reads.document(id);
    }

    @Get(uri = "/{id}/events", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String getEvents(HttpRequest<?> request, @PathVariable String id,
                            @QueryValue(value = "from_seq", defaultValue = "0") long fromSeq,
                            @QueryValue(value = "limit", defaultValue = "100") int limit) {
        access.reader(request, id);
        return reads.eventsPage(id, fromSeq, limit);
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String listTraces(HttpRequest<?> request,
                             @QueryValue @Nullable String state, @QueryValue @Nullable String participant,
                             @QueryValue @Nullable String task, @QueryValue @Nullable String from,
                             @QueryValue @Nullable String to, @QueryValue @Nullable String verdict,
                             @QueryValue("min_score") @Nullable String minScore, @QueryValue @Nullable String cursor,
                             @QueryValue(defaultValue = "50") int limit) {
        access.researcher(request, "listing traces");
        return reads.listPage(new TraceReads.Filter(state, participant, task, QueryValues.instant(from, "from"), QueryValues.instant(to, "to"), verdict,
                QueryValues.score(minScore)), cursor, limit);
    }
}
