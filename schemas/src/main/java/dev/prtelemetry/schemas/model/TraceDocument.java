package dev.prtelemetry.schemas.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The assembled trace document, with the seed's top-level keys: trace_version, trace_id,
 * session, task, repo, environment, events, artifacts, metrics, qa, integrity. Events stay
 * JSON so their hashes can be re-checked byte for byte; metrics and qa are open-ended.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TraceDocument(
        String traceVersion,
        String traceId,
        Session session,
        Task task,
        Repo repo,
        Requests.Environment environment,
        List<JsonNode> events,
        List<Artifact> artifacts,
        JsonNode metrics,
        JsonNode qa,
        Integrity integrity) {

    public static final String VERSION = "1";

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Session(String participantId, String state, Double startedAt, Double completedAt, String outcome,
                          JsonNode consent) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Task(String id, String title, String description) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Repo(String origin, String startCommit, String finalCommit, String snapshotRef, String finalPatchRef) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artifact(String ref, long size, String mediaType, String role) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Integrity(String chainHead, long eventCount, String merkleRoot, String verdict, List<String> reasons) {
    }
}
