package dev.prtelemetry.gateway;

import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

/**
 * The bodies the write endpoints answer with, as typed values (written by Micronaut Serialization,
 * field names in snake_case as in DESIGN.md's ingestion contract). Errors are problem+json
 * ({@link Problem}, rendered in one place, {@link ProblemHandler}).
 */
public final class Responses {
    private Responses() {
    }

    /**
     * 201 (200 for a retried creation of a trace that exists): the trace and its first upload token; {@code message}
     * as the replaced system answered (its clients may print it).
     */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record TraceCreated(String traceId, String uploadToken, String expiresAt, String message) {
        public TraceCreated(String traceId, String uploadToken, String expiresAt) {
            this(traceId, uploadToken, expiresAt, "Trace created successfully");
        }
    }

    /** 202: the chunk is durably in Kafka; {@code digest} is its content digest (what the ordering check compares). */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record ChunkAccepted(String traceId, long chunkSeq, String digest, int acceptedEvents) {
    }

    /** 202: the completion is durably in Kafka; the assembly ends the trace once every chunk up to it arrived. */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record Completing(String traceId, String state) {
    }

    /** 200: a new upload token for a trace. */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record UploadToken(String traceId, String uploadToken, String expiresAt) {
    }

    /** 201: a participant's own token (creates that participant's traces only). */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record ParticipantToken(String participantId, String token, String expiresAt) {
    }

    /** 201: the artifact is stored under its content address. */
    @Serdeable(naming = SnakeCaseStrategy.class)
    public record ArtifactStored(String ref, long size) {
    }
}
