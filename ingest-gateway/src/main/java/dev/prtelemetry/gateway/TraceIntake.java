package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.model.ArtifactRef;
import dev.prtelemetry.schemas.model.Consent;
import dev.prtelemetry.schemas.model.GitIds;
import dev.prtelemetry.schemas.model.Requests;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.TraceRecords;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What comes in: trace creation (consent recorded first), chunks, completion, artifacts and
 * tokens. Each write is checked as far as one request can check it — JSON, schema, sizes,
 * consent, the Idempotency-Key — and answered only once it is durable: a record acknowledged
 * by Kafka (acks=all, idempotent producer) or an artifact in S3. Ordering, duplicates and the
 * hash chain are checked in Flink, where the state is. Failures are {@link Problem}s (the
 * futures complete with one).
 */
@Singleton
public class TraceIntake {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TraceIntake.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final GatewayConfig config;
    private final UploadTokens tokens;
    private final TraceRecordsProducer producer;
    private final IdempotencyKeys idempotency;
    private final Consents consents;
    private final TraceReads reads;
    private final ArtifactStore artifacts;
    private final ArtifactScreen screen;
    private final Access access;
    private final Counter acceptedEvents;
    private final Counter acceptedChunks;
    private final Counter kafkaFailures;
    private final Timer ackLatency;
    private final Timer chunkLatency;
    private final Timer claimLatency;

    public TraceIntake(GatewayConfig config, UploadTokens tokens, TraceRecordsProducer producer, IdempotencyKeys idempotency,
                       Consents consents, TraceReads reads, ArtifactStore artifacts, ArtifactScreen screen, Access access,
                       MeterRegistry meters) {
        this.config = config;
        this.tokens = tokens;
        this.producer = producer;
        this.idempotency = idempotency;
        this.consents = consents;
        this.reads = reads;
        this.artifacts = artifacts;
        this.screen = screen;
        this.access = access;
        this.acceptedEvents = meters.counter("prt_gateway_events_accepted_total");
        this.acceptedChunks = meters.counter("prt_gateway_chunks_accepted_total");
        this.kafkaFailures = meters.counter("prt_gateway_kafka_failures_total");
        this.ackLatency = Timer.builder("prt_gateway_kafka_ack_seconds").publishPercentiles(0.5, 0.99).register(meters);
        this.chunkLatency = Timer.builder("prt_gateway_chunk_seconds")
                .description("a chunk's time in the gateway: checks, Idempotency-Key, Kafka ack").publishPercentiles(0.5, 0.99)
                .register(meters);
        this.claimLatency = Timer.builder("prt_gateway_idempotency_claim_seconds").publishPercentiles(0.5, 0.99).register(meters);
    }

    /** A created trace: {@code existed} when a retried creation found it (200 rather than 201). */
    public record Created(Responses.TraceCreated body, boolean existed) {
    }

    /**
     * Creates a trace: checks the request (a 422 naming consent when consent is what is missing),
     * records the consent and retention, and sends the trace's header record. A recorder's own
     * trace id makes a retried creation idempotent; another participant's id is refused.
     */
    public CompletableFuture<Created> create(Access.Creator creator, byte[] body) {
        RequestChecks.requireSize(body, config.maxRequestBytes());
        JsonNode checked;
        try {
            checked = RequestChecks.document(body, SchemaName.CREATE_TRACE_REQUEST);
        } catch (Problem p) {
            List<Violation> consent = p.violations().stream().filter(v -> v.pointer().startsWith("/consent")).toList();
            if (!consent.isEmpty()) {
                throw Problem.consentRequired("a trace is recorded only with its participant's consent: send consent.granted = true"
                        + " and the scopes granted (" + Consent.Scope.listed() + "); nothing was stored", p.violations());
            }
            throw p;
        }
        Requests.CreateTrace create = Requests.CreateTrace.of(checked);
        if (!creator.isResearcher() && !creator.participant().equals(create.participantId())) {
            throw Problem.forbidden("this participant token creates traces of participant " + creator.participant() + " only");
        }
        double now = nowSeconds();
        // consent as recorded (scopes, text version, time) and the retention date: refused before anything is written
        Consent consent = consents.normalise(create.consent(), now);
        double retainUntil = consents.retainUntil(create, now);
        String traceId = create.traceId() != null ? create.traceId() : UUID.randomUUID().toString();
        try {
            if (create.traceId() != null) {
                // a recorder's own id: a retried creation is idempotent, and a session recorded offline
                // keeps the id its events were hashed with
                access.refuseErased(traceId, true);
                Optional<String> owner = reads.participantOf(traceId);
                if (owner.isPresent()) {
                    if (!owner.get().equals(create.participantId())) {
                        throw Problem.conflict("trace id " + traceId + " is taken");
                    }
                    return CompletableFuture.completedFuture(new Created(created(traceId), true));
                }
            }
            if (!consents.record(traceId, create.participantId(), consent, retainUntil, now)) {
                throw Problem.conflict("trace id " + traceId + " is taken");
            }
        } catch (SQLException e) {
            throw Problem.database(e);
        }
        // the header record: the request as sent (less the id, which is the key), with what the gateway recorded
        ObjectNode header = checked.deepCopy();
        header.remove("trace_id");
        header.set("consent", consent.toJson());
        if (!GitIds.isFull(create.startCommit())) {
            header.put("start_commit_abbreviated", true); // stored as given: a prefix of the commit id
        }
        header.put("retain_until", retainUntil);
        header.put("created_at", now);
        Responses.TraceCreated answer = created(traceId);
        return send(traceId, TraceRecords.header(traceId, now, header).toString(), TraceRecords.HEADER, null, null, null, now)
                .thenApply(ok -> new Created(answer, false));
    }

    private Responses.TraceCreated created(String traceId) {
        UploadTokens.Issued issued = tokens.issue(traceId);
        return new Responses.TraceCreated(traceId, issued.token(), issued.expiresAt().toString());
    }

    /**
     * One chunk of events: validated and digested in one pass over its bytes, its Idempotency-Key
     * bound to that digest (the same key with another chunk is refused), then sent as it arrived.
     */
    public CompletableFuture<Responses.ChunkAccepted> ingest(String traceId, String idempotencyKey, byte[] body) {
        long start = System.nanoTime();
        RequestChecks.requireSize(body, config.maxChunkBytes());
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 256) {
            throw Problem.badRequest("idempotency-key", "send an Idempotency-Key header (up to 256 characters), "
                    + "the same on every retry of this chunk");
        }
        // the replaced system's chunks (format v0: flat events, no payload, no hashes) beside v1's
        JsonNode chunk = RequestChecks.chunk(body);
        JsonNode named = chunk.get("trace_id");
        if (named != null && !named.asText().equals(traceId)) {
            throw Problem.invalid("the chunk names another trace", List.of(new Violation("/trace_id", "const",
                    "is " + named.asText() + ", but the URL names trace " + traceId)));
        }
        String digest = TraceRecords.digest(chunk);
        long chunkSeq = chunk.get("chunk_seq").asLong();
        int events = chunk.get("events").size();
        double receivedAt = nowSeconds();
        String record = TraceRecords.chunkText(traceId, receivedAt, chunkSeq, digest, new String(body, StandardCharsets.UTF_8));
        long claimStart = System.nanoTime();
        return idempotency.claim(traceId, idempotencyKey, digest).thenCompose(refused -> {
            claimLatency.record(System.nanoTime() - claimStart, TimeUnit.NANOSECONDS);
            if (refused != null) {
                throw new CompletionException(refused);
            }
            return send(traceId, record, TraceRecords.CHUNK, chunkSeq, digest, idempotencyKey, receivedAt);
        }).thenApply(ok -> {
            acceptedEvents.increment(events);
            acceptedChunks.increment();
            chunkLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return new Responses.ChunkAccepted(traceId, chunkSeq, digest, events);
        });
    }

    /**
     * The recorder's end of the session (final seq and chain head); the assembly ends the trace. Without a
     * body (the replaced system's clients) the assembly closes the trace at the last event it received, once
     * no chunk before it is missing: the record carries an empty {@code complete} object.
     */
    public CompletableFuture<Responses.Completing> complete(String traceId, byte[] body) {
        RequestChecks.requireSize(body, config.maxRequestBytes());
        JsonNode checked = body == null || body.length == 0 ? StrictJson.mapper().createObjectNode()
                : RequestChecks.document(body, SchemaName.COMPLETE_REQUEST);
        double receivedAt = nowSeconds();
        return send(traceId, TraceRecords.complete(traceId, receivedAt, checked).toString(), TraceRecords.COMPLETE, null, null, null,
                receivedAt)
                .thenApply(ok -> new Responses.Completing(traceId, "completing"));
    }

    public Responses.UploadToken refreshToken(String traceId) {
        UploadTokens.Issued issued = tokens.issue(traceId);
        return new Responses.UploadToken(traceId, issued.token(), issued.expiresAt().toString());
    }

    public Responses.ParticipantToken participantToken(String participantId) {
        Access.checkParticipantId(participantId);
        UploadTokens.Issued issued = tokens.issueParticipant(participantId);
        return new Responses.ParticipantToken(participantId, issued.token(), issued.expiresAt().toString());
    }

    /**
     * An artifact, named by the SHA-256 of its bytes: checked against its name and screened for
     * secrets, then stored once (the same answer whether or not anyone stored these bytes before: a
     * 200 would tell the caller that some other trace holds them).
     */
    public Responses.ArtifactStored putArtifact(String sha256, byte[] body, String contentType) {
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
        try {
            if (!artifacts.exists(sha256)) {
                artifacts.put(sha256, bytes, contentType);
            }
        } catch (RuntimeException e) {
            LOG.warn("artifact store failed for {}", sha256, e);
            throw Problem.unavailable("the artifact store is unavailable (" + e.getClass().getSimpleName() + ")");
        }
        return new Responses.ArtifactStored(new ArtifactRef(sha256).uri(), bytes.length);
    }

    /** Sends a record and completes once Kafka acknowledged it; a 503 {@link Problem} when it did not in time. */
    private CompletableFuture<Void> send(String traceId, String record, String kind, Long chunkSeq, String digest,
                                         String idempotencyKey, double receivedAt) {
        long start = System.nanoTime();
        return producer.send(traceId, record.getBytes(StandardCharsets.UTF_8), kind, chunkSeq, digest, idempotencyKey,
                        Math.round(receivedAt * 1000))
                .orTimeout(config.kafkaAckTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, error) -> {
                    ackLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    if (error != null) {
                        kafkaFailures.increment();
                        throw new CompletionException(Problem.unavailable("Kafka did not acknowledge the record ("
                                + rootMessage(error) + ")"));
                    }
                    return null;
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
