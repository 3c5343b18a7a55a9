package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.model.ArtifactRef;
import dev.prtelemetry.schemas.stream.TraceRecords;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The ingestion API of DESIGN.md. It checks what one request can check — credentials,
 * content type, size, JSON, schema — and answers 2xx only once the record is durably in
 * Kafka (or the artifact in S3). Ordering, duplicates and the hash chain are checked in
 * Flink, where the state is.
 */
@Controller("/v1")
public class TracesController {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TracesController.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private final IdempotencyKeys idempotency;
    private static final Pattern TRACE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern PARTICIPANT_ID = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");

    private final GatewayConfig config;
    private final UploadTokens tokens;
    private final RateLimiter rateLimiter;
    private final TraceRecordsProducer producer;
    private final ArtifactStore artifacts;
    private final TraceReads reads;
    private final Erasures erasures;
    private final Consents consents;
    private final ArtifactScreen screen;
    private final Counter acceptedEvents;
    private final Counter acceptedChunks;
    private final Timer ackLatency;
    private final MeterRegistry meters;

    public TracesController(GatewayConfig config, UploadTokens tokens, RateLimiter rateLimiter, TraceRecordsProducer producer,
                            ArtifactStore artifacts, TraceReads reads, Erasures erasures, Consents consents,
                            ArtifactScreen screen, MeterRegistry meters, IdempotencyKeys idempotency) {
        this.idempotency = idempotency;
        this.config = config;
        this.tokens = tokens;
        this.rateLimiter = rateLimiter;
        this.producer = producer;
        this.artifacts = artifacts;
        this.reads = reads;
        this.erasures = erasures;
        this.consents = consents;
        this.screen = screen;
        this.meters = meters;
        this.acceptedEvents = meters.counter("prt_gateway_events_accepted_total");
        this.acceptedChunks = meters.counter("prt_gateway_chunks_accepted_total");
        this.ackLatency = Timer.builder("prt_gateway_kafka_ack_seconds").publishPercentiles(0.5, 0.99).register(meters);
    }

    @Post(uri = "/traces", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public CompletableFuture<MutableHttpResponse<String>> create(HttpRequest<?> request, @Body @Nullable byte[] body)
            throws java.sql.SQLException {
        String token = RequestChecks.bearer(request);
        String participant = tokens.isResearcher(token) ? null : tokens.participantOf(token);
        if (participant == null && !tokens.isResearcher(token)) {
            throw Problem.unauthorized("creating a trace takes a researcher token or a participant token");
        }
        rateLimiter.acquire(participant == null ? "researcher" : token);
        RequestChecks.requireJson(request);
        RequestChecks.requireSize(body, config.maxRequestBytes());
        JsonNode create;
        try {
            create = RequestChecks.document(body, SchemaName.CREATE_TRACE_REQUEST);
        } catch (Problem p) {
            List<Violation> consent = p.violations().stream().filter(v -> v.pointer().startsWith("/consent")).toList();
            if (!consent.isEmpty()) {
                throw Problem.consentRequired("a trace is recorded only with its participant's consent: send consent.granted = true"
                        + " and the scopes granted (training, evaluation, publication); nothing was stored", p.violations());
            }
            throw p;
        }
        if (participant != null && !participant.equals(create.get("participant_id").asText())) {
            throw Problem.forbidden("this participant token creates traces of participant " + participant + " only");
        }

        double now = nowSeconds();
        String participantId = create.get("participant_id").asText();
        // consent as recorded (scopes, text version, time) and the retention date: refused before anything is written
        ObjectNode consent = consents.normalise(create.get("consent"), now);
        double retainUntil = consents.retainUntil(create, now);
        String traceId;
        if (create.hasNonNull("trace_id")) {
            // A recorder's own id: a retried creation is idempotent, and a session recorded offline
            // keeps the id its events were hashed with. Taken ids of another participant are refused.
            traceId = create.get("trace_id").asText();
            refuseErased(traceId, true);
            Optional<ObjectNode> existing = reads.trace(traceId);
            if (existing.isPresent()) {
                if (!existing.get().path("participant_id").asText().equals(participantId)) {
                    throw Problem.conflict("trace id " + traceId + " is taken");
                }
                UploadTokens.Issued issued = tokens.issue(traceId);
                return CompletableFuture.completedFuture(HttpResponse.<String>status(HttpStatus.OK)
                        .header("Location", "/v1/traces/" + traceId).body(created(traceId, issued)));
            }
        } else {
            traceId = UUID.randomUUID().toString();
        }
        if (!consents.record(traceId, participantId, consent, retainUntil, now)) {
            throw Problem.conflict("trace id " + traceId + " is taken");
        }
        ObjectNode header = create.deepCopy();
        header.remove("trace_id");
        header.set("consent", consent);
        header.put("retain_until", retainUntil);
        header.put("created_at", now);
        UploadTokens.Issued issued = tokens.issue(traceId);
        return send(traceId, TraceRecords.header(traceId, now, header).toString(), TraceRecords.HEADER, null, null, null,
                () -> HttpResponse.<String>status(HttpStatus.CREATED).header("Location", "/v1/traces/" + traceId)
                        .body(created(traceId, issued)));
    }

    private static String created(String traceId, UploadTokens.Issued issued) {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.put("trace_id", traceId);
        out.put("upload_token", issued.token());
        out.put("expires_at", issued.expiresAt().toString());
        return out.toString();
    }

    /**
     * Erases every trace of a participant everywhere this gateway's stores hold them (rows,
     * documents, unshared artifacts), records who asked and what went, and puts the trace ids on
     * the erasure list: they answer 410 from then on and are never ingested again.
     */
    @io.micronaut.http.annotation.Delete(uri = "/participants/{participantId}", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String eraseParticipant(HttpRequest<?> request, @PathVariable String participantId) throws java.sql.SQLException {
        if (!tokens.isResearcher(RequestChecks.bearer(request))) {
            throw Problem.forbidden("erasing a participant takes a researcher token");
        }
        if (!PARTICIPANT_ID.matcher(participantId).matches()) {
            throw Problem.badRequest("bad-participant-id", "a participant id is 1–128 of A–Z a–z 0–9 . _ @ : -");
        }
        String who = "researcher token from " + request.getRemoteAddress().getAddress().getHostAddress();
        return erasures.erase(participantId, who).toString();
    }

    /**
     * Runs the retention sweep now (it also runs every {@code prt.privacy.sweep-interval}): every trace
     * past its {@code retain_until} is deleted everywhere, as an erasure with reason {@code retention}.
     */
    @Post(uri = "/retention:sweep", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public MutableHttpResponse<String> sweep(HttpRequest<?> request) throws java.sql.SQLException {
        if (!tokens.isResearcher(RequestChecks.bearer(request))) {
            throw Problem.forbidden("running the retention sweep takes a researcher token");
        }
        ObjectNode result = erasures.sweepExpired(Instant.now(), "retention sweep requested by researcher token from "
                + request.getRemoteAddress().getAddress().getHostAddress());
        if (result == null) {
            throw Problem.conflict("another retention sweep is running; try again when it ends");
        }
        return HttpResponse.ok(result.toString());
    }

    /** A researcher issues a participant's own token: it creates that participant's traces and nothing else. */
    @Post(uri = "/participants/{participantId}/tokens", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public MutableHttpResponse<String> participantToken(HttpRequest<?> request, @PathVariable String participantId) {
        if (!tokens.isResearcher(RequestChecks.bearer(request))) {
            throw Problem.forbidden("participant tokens are issued with a researcher token");
        }
        if (!PARTICIPANT_ID.matcher(participantId).matches()) {
            throw Problem.badRequest("bad-participant-id", "a participant id is 1–128 of A–Z a–z 0–9 . _ @ : -");
        }
        rateLimiter.acquire("researcher");
        UploadTokens.Issued issued = tokens.issueParticipant(participantId);
        return HttpResponse.<String>status(HttpStatus.CREATED).body(StrictJson.mapper().createObjectNode()
                .put("participant_id", participantId).put("token", issued.token())
                .put("expires_at", issued.expiresAt().toString()).toString());
    }

    @Post(uri = "/traces/{id}/events:ingest", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<MutableHttpResponse<String>> ingest(HttpRequest<?> request, @PathVariable String id,
                                                                 @Header("Idempotency-Key") @Nullable String idempotencyKey,
                                                                 @Body @Nullable byte[] body) {
        String token = authorizeUpload(request, id);
        rateLimiter.acquire(token);
        RequestChecks.requireJson(request);
        RequestChecks.requireSize(body, config.maxChunkBytes());
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 256) {
            throw Problem.badRequest("idempotency-key", "send an Idempotency-Key header (up to 256 characters), "
                    + "the same on every retry of this chunk");
        }
        JsonNode chunk = RequestChecks.document(body, SchemaName.CHUNK);
        if (chunk.has("trace_id") && !chunk.get("trace_id").asText().equals(id)) {
            throw Problem.invalid("the chunk names another trace", List.of(new Violation("/trace_id", "const",
                    "is " + chunk.get("trace_id").asText() + ", but the URL names trace " + id)));
        }
        String digest = TraceRecords.digest(chunk);
        long chunkSeq = chunk.get("chunk_seq").asLong();
        String record = TraceRecords.chunkText(id, nowSeconds(), chunkSeq, digest, new String(body, StandardCharsets.UTF_8));
        int events = chunk.get("events").size();
        return idempotency.claim(id, idempotencyKey, digest).thenCompose(refused -> refused != null
                ? CompletableFuture.completedFuture(ProblemHandler.render(refused, request.getPath()))
                : send(id, record, TraceRecords.CHUNK, chunkSeq, digest, idempotencyKey, () -> {
                    acceptedEvents.increment(events);
                    acceptedChunks.increment();
                    ObjectNode out = StrictJson.mapper().createObjectNode();
                    out.put("trace_id", id);
                    out.put("chunk_seq", chunkSeq);
                    out.put("digest", digest);
                    out.put("accepted_events", events);
                    return HttpResponse.<String>status(HttpStatus.ACCEPTED).body(out.toString());
                }));
    }

    @Post(uri = "/traces/{id}/complete", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public CompletableFuture<MutableHttpResponse<String>> complete(HttpRequest<?> request, @PathVariable String id,
                                                                   @Body @Nullable byte[] body) {
        String token = authorizeUpload(request, id);
        rateLimiter.acquire(token);
        RequestChecks.requireJson(request);
        RequestChecks.requireSize(body, config.maxRequestBytes());
        JsonNode complete = RequestChecks.document(body, SchemaName.COMPLETE_REQUEST);
        return send(id, TraceRecords.complete(id, nowSeconds(), complete).toString(), TraceRecords.COMPLETE, null, null, null,
                () -> HttpResponse.<String>status(HttpStatus.ACCEPTED)
                .body(StrictJson.mapper().createObjectNode().put("trace_id", id).put("state", "completing").toString()));
    }

    /** A new upload token for a trace, for a holder of its (possibly expired) upload token or a researcher. */
    @Post(uri = "/traces/{id}/token", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public MutableHttpResponse<String> refresh(HttpRequest<?> request, @PathVariable String id) {
        checkTraceId(id);
        String token = RequestChecks.bearer(request);
        if (!tokens.isResearcher(token)) {
            String traceId = tokens.verify(token, true);
            if (!traceId.equals(id)) {
                throw Problem.forbidden("this upload token belongs to another trace");
            }
        }
        rateLimiter.acquire(token);
        rateLimiter.mint(id); // expired tokens may mint, but only so many per trace per minute
        refuseErased(id, true);
        UploadTokens.Issued issued = tokens.issue(id);
        return HttpResponse.ok(StrictJson.mapper().createObjectNode().put("trace_id", id)
                .put("upload_token", issued.token()).put("expires_at", issued.expiresAt().toString()).toString());
    }

    @Put(uri = "/traces/{id}/artifacts/{sha256}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public MutableHttpResponse<String> putArtifact(HttpRequest<?> request, @PathVariable String id,
                                                   @PathVariable String sha256, @Body @Nullable byte[] body) {
        String token = authorizeUpload(request, id);
        rateLimiter.acquire(token);
        if (!SHA256.matcher(sha256).matches()) {
            throw Problem.badRequest("bad-artifact-name", "an artifact is named by the SHA-256 of its bytes, 64 lowercase hex digits");
        }
        byte[] bytes = body == null ? new byte[0] : body;
        RequestChecks.requireSize(bytes, config.maxArtifactBytes());
        String actual = Sha256.hex(Sha256.digest(bytes));
        if (!actual.equals(sha256)) {
            throw new Problem(422, "digest-mismatch", "The body does not hash to its name",
                    "the body's SHA-256 is " + actual + ", not " + sha256 + "; nothing was stored");
        }
        screen.check(bytes);
        boolean existed;
        try {
            existed = artifacts.exists(sha256);
            if (!existed) {
                artifacts.put(sha256, bytes, request.getContentType().map(MediaType::toString).orElse(null));
            }
        } catch (RuntimeException e) {
            LOG.warn("artifact store failed for {}", sha256, e);
            throw Problem.unavailable("the artifact store is unavailable (" + e.getClass().getSimpleName() + ")");
        }
        String ref = new ArtifactRef(sha256).uri();
        // the same answer whether or not the content was already stored (by anyone): a 200 told the
        // caller that some other trace holds these bytes
        return HttpResponse.<String>status(HttpStatus.CREATED)
                .body(StrictJson.mapper().createObjectNode().put("ref", ref).put("size", bytes.length).toString());
    }

    @Get(uri = "/traces/{id}", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String getTrace(HttpRequest<?> request, @PathVariable String id) throws SQLException {
        authorizeRead(request, id);
        return reads.trace(id).orElseThrow(() -> Problem.notFound("no trace " + id + " (yet: a new trace appears"
                + " within seconds of its creation)")).toString();
    }

    /** The assembled trace document (DESIGN.md's trace format), once the trace has ended. */
    @Get(uri = "/traces/{id}/document", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public byte[] getDocument(HttpRequest<?> request, @PathVariable String id) throws SQLException {
        authorizeRead(request, id);
        ObjectNode trace = reads.trace(id).orElseThrow(() -> Problem.notFound("no trace " + id));
        String uri = trace.path("document_uri").asText(null);
        if (uri == null || uri.isEmpty()) {
            throw Problem.notFound("trace " + id + " is " + trace.path("state").asText()
                    + "; its document is written when it ends");
        }
        return artifacts.readDocument(uri).orElseThrow(() -> Problem.notFound("the document of trace " + id
                + " is not in this gateway's store (" + uri + ")"));
    }

    @Get(uri = "/traces/{id}/events", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String getEvents(HttpRequest<?> request, @PathVariable String id,
                            @QueryValue(value = "from_seq", defaultValue = "0") long fromSeq,
                            @QueryValue(value = "limit", defaultValue = "100") int limit) throws SQLException {
        authorizeRead(request, id);
        if (limit < 1 || limit > 1000 || fromSeq < 0) {
            throw Problem.badRequest("bad-page", "limit is 1..1000 and from_seq ≥ 0");
        }
        if (reads.trace(id).isEmpty()) {
            throw Problem.notFound("no trace " + id);
        }
        ObjectNode page = reads.events(id, fromSeq, limit);
        page.put("trace_id", id);
        return page.toString();
    }

    @Get(uri = "/traces", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public String listTraces(HttpRequest<?> request,
                             @QueryValue @Nullable String state, @QueryValue @Nullable String participant,
                             @QueryValue @Nullable String task, @QueryValue @Nullable String from,
                             @QueryValue @Nullable String to, @QueryValue @Nullable String cursor,
                             @QueryValue(defaultValue = "50") int limit) throws SQLException {
        String reader = RequestChecks.bearer(request);
        if (!tokens.isResearcher(reader)) {
            throw Problem.forbidden("listing traces takes a researcher token");
        }
        rateLimiter.acquire(reader);
        if (limit < 1 || limit > 500) {
            throw Problem.badRequest("bad-page", "limit is 1..500");
        }
        return reads.list(new TraceReads.Filter(state, participant, task, instant(from, "from"), instant(to, "to")),
                cursor, limit).toString();
    }

    private String authorizeUpload(HttpRequest<?> request, String id) {
        checkTraceId(id);
        String token = RequestChecks.bearer(request);
        String traceId = tokens.verify(token, false);
        if (!traceId.equals(id)) {
            throw Problem.forbidden("this upload token belongs to another trace");
        }
        rateLimiter.acquire("trace:" + id); // whatever token: minting more tokens buys no more rate
        refuseErased(id, false);
        return token;
    }

    /**
     * 410 for a trace on the erasure list. {@code exact}: one query (creation, token refresh, reads);
     * otherwise the in-memory list of erasures recent enough for an upload token to be alive (every chunk).
     */
    private void refuseErased(String id, boolean exact) {
        try {
            String reason = exact ? erasures.erasedReason(id) : (erasures.isRecentlyErased(id) ? "participant-request" : null);
            if (reason != null) {
                throw Problem.gone("trace " + id + (reason.equals("retention")
                        ? " was deleted at the end of its retention period"
                        : " was erased (its participant's data was deleted on request)"));
            }
        } catch (java.sql.SQLException e) {
            throw Problem.unavailable("the erasure list cannot be read (" + e.getMessage() + ")");
        }
    }

    private void authorizeRead(HttpRequest<?> request, String id) {
        checkTraceId(id);
        String token = RequestChecks.bearer(request);
        if (tokens.isResearcher(token)) {
            rateLimiter.acquire(token);
            refuseErased(id, true);
            return;
        }
        if (!tokens.verify(token, false).equals(id)) {
            throw Problem.forbidden("this upload token belongs to another trace");
        }
        rateLimiter.acquire(token);
        refuseErased(id, true);
    }

    private static void checkTraceId(String id) {
        if (!TRACE_ID.matcher(id).matches()) {
            throw Problem.notFound("'" + id + "' is not a trace id");
        }
    }

    private static Instant instant(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            throw Problem.badRequest("bad-time", name + " must be an ISO-8601 instant such as 2026-11-26T12:00:00Z");
        }
    }

    private CompletableFuture<MutableHttpResponse<String>> send(String traceId, String record, String kind, Long chunkSeq,
                                                                String digest, String idempotencyKey,
                                                                java.util.function.Supplier<MutableHttpResponse<String>> onAck) {
        long start = System.nanoTime();
        return producer.send(traceId, record.getBytes(StandardCharsets.UTF_8), kind, chunkSeq, digest, idempotencyKey)
                .orTimeout(config.kafkaAckTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, error) -> {
                    ackLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    if (error != null) {
                        meters.counter("prt_gateway_kafka_failures_total").increment();
                        return ProblemHandler.render(Problem.unavailable("Kafka did not acknowledge the record ("
                                + rootMessage(error) + ")"), "/v1/traces/" + traceId);
                    }
                    return onAck.get();
                });
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    private static double nowSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }
}
