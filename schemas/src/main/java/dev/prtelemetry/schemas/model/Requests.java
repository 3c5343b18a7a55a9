package dev.prtelemetry.schemas.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** Bodies of the ingestion API (DESIGN.md, "Ingestion contract"); field names are the wire names in snake_case. */
public final class Requests {
    private Requests() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateTrace(String traceId, String participantId, String taskId, String taskTitle, String taskDescription,
                              String repoOrigin, String startCommit, Environment environment, Double startedAt,
                              String startSnapshotRef, Consent consent, Double retainUntil) {

        /** A body already checked against {@code create-trace-request.schema.json}. */
        public static CreateTrace of(JsonNode checked) {
            return read(checked, CreateTrace.class);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Environment(String os, String arch, Map<String, String> runtimes, String testCommand,
                              String testFramework, String shell, String recorderVersion) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Consent(boolean granted, List<String> scopes, String textVersion, Double grantedAt) {
    }

    /** A chunk keeps its events as JSON: they are hashed as sent. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Chunk(String traceId, String chunkId, long chunkSeq, List<JsonNode> events) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Complete(long finalSeq, String chainHead, String outcome, String finalPatchRef) {
    }

    /** Reads a schema-checked body with the shared mapper; unknown members are the schema's business (it refuses them). */
    private static <T> T read(JsonNode checked, Class<T> type) {
        try {
            return dev.prtelemetry.schemas.json.StrictJson.mapper().readerFor(type)
                    .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(checked);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + " (checked against its schema?): " + e.getMessage(), e);
        }
    }
}
