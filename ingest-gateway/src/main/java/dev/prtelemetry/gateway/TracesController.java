package dev.prtelemetry.gateway;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.concurrent.CompletableFuture;

/**
 * The ingestion API of DESIGN.md (the writes): which caller may do what ({@link Access}), then
 * {@link TraceIntake}. Bodies are read as bytes — they are validated and hashed as sent — and
 * answered with {@link Responses}; every error is problem+json ({@link ProblemHandler}).
 */
@Controller("/v1/traces")
public class TracesController {
    private final Access access;
    private final TraceIntake intake;

    public TracesController(Access access, TraceIntake intake) {
        this.access = access;
        this.intake = intake;
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public CompletableFuture<HttpResponse<Responses.TraceCreated>> create(HttpRequest<?> request, @Body @Nullable byte[] body) {
        Access.Creator creator = access.creator(request);
        RequestChecks.requireJson(request);
        return intake.create(creator, body).thenApply(c -> (c.existed() ? HttpResponse.ok(c.body()) : HttpResponse.created(c.body()))
                .header("Location", "/v1/traces/" + c.body().traceId()));
    }

    @Post(uri = "/{id}/events:ingest", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<Responses.ChunkAccepted>> ingest(HttpRequest<?> request, @PathVariable String id,
                                                                          @Header("Idempotency-Key") @Nullable String idempotencyKey,
                                                                          @Body @Nullable byte[] body) {
        access.uploader(request, id);
        RequestChecks.requireJson(request);
        return intake.ingest(id, idempotencyKey, body).thenApply(b -> HttpResponse.<Responses.ChunkAccepted>accepted().body(b));
    }

    @Post(uri = "/{id}/complete", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<HttpResponse<Responses.Completing>> complete(HttpRequest<?> request, @PathVariable String id,
                                                                         @Body @Nullable byte[] body) {
        access.uploader(request, id);
        RequestChecks.requireJson(request);
        return intake.complete(id, body).thenApply(b -> HttpResponse.<Responses.Completing>accepted().body(b));
    }

    /** A new upload token for a trace, for a holder of its (possibly expired) upload token or a researcher. */
    @Post(uri = "/{id}/token", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public Responses.UploadToken refresh(HttpRequest<?> request, @PathVariable String id) {
        access.refresher(request, id);
        return intake.refreshToken(id);
    }

    @Put(uri = "/{id}/artifacts/{sha256}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<Responses.ArtifactStored> putArtifact(HttpRequest<?> request, @PathVariable String id,
                                                              @PathVariable String sha256, @Body @Nullable byte[] body) {
        access.uploader(request, id);
        return HttpResponse.created(intake.putArtifact(sha256, body,
                request.getContentType().map(MediaType::toString).orElse(null)));
    }
}
