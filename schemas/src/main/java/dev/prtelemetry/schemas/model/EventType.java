package dev.prtelemetry.schemas.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** The five event types of trace format v1, by their wire names. */
public enum EventType {
    FILE_EDIT("file_edit"),
    CMD_RUN("cmd_run"),
    TEST_RUN("test_run"),
    COMMIT("commit"),
    RATIONALE_NOTE("rationale_note");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }
}
