package dev.prtelemetry.schemas.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;

/**
 * A trace event as a Java value: the common members plus a typed payload whose kind is
 * the event's {@code type}. For reading and building events; hashes are always computed
 * over the JSON an event travelled as ({@link dev.prtelemetry.schemas.integrity.EventHasher}),
 * never over this record, so members a later format version adds are never lost to a hash.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TraceEvent(
        String id,
        long seq,
        @JsonProperty("ts_client_s") double tsClientS,
        @JsonProperty("prev_hash") String prevHash,
        String hash,
        @JsonProperty("ts_server_s") Double tsServerS,
        @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXTERNAL_PROPERTY, property = "type")
        @JsonSubTypes({
            @JsonSubTypes.Type(value = EventPayload.FileEdit.class, name = "file_edit"),
            @JsonSubTypes.Type(value = EventPayload.CmdRun.class, name = "cmd_run"),
            @JsonSubTypes.Type(value = EventPayload.TestRun.class, name = "test_run"),
            @JsonSubTypes.Type(value = EventPayload.Commit.class, name = "commit"),
            @JsonSubTypes.Type(value = EventPayload.RationaleNote.class, name = "rationale_note")
        })
        EventPayload payload) {

    public EventType type() {
        return payload.type();
    }

    public static TraceEvent fromJson(JsonNode event) {
        try {
            return StrictJson.mapper().treeToValue(event, TraceEvent.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a trace event: " + e.getOriginalMessage(), e);
        }
    }

    public JsonNode toJson() {
        return StrictJson.mapper().valueToTree(this);
    }
}
