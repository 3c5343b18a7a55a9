package dev.prtelemetry.schemas.validation;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Size limits of trace format v1, read from the schema files where they are defined, so
 * the gateway, the recorder and the jobs agree with the validator without copies of the
 * numbers. Change a limit in the schema, and every user of it follows.
 */
public record TraceLimits(
        int maxEventsPerChunk,
        int maxDiffChars,
        int maxCommandChars,
        int maxOutputExcerptChars,
        int maxNoteChars,
        int maxNoteRefs,
        int maxTestCases) {

    private static final TraceLimits V1 = load();

    public static TraceLimits v1() {
        return V1;
    }

    private static TraceLimits load() {
        return new TraceLimits(
                read(SchemaName.CHUNK, "/properties/events/maxItems"),
                read(SchemaName.FILE_EDIT, "/properties/diff/maxLength"),
                read(SchemaName.CMD_RUN, "/properties/command/maxLength"),
                read(SchemaName.CMD_RUN, "/properties/output_excerpt/maxLength"),
                read(SchemaName.RATIONALE_NOTE, "/properties/text/maxLength"),
                read(SchemaName.RATIONALE_NOTE, "/properties/refs/maxItems"),
                read(SchemaName.TEST_RUN, "/properties/cases/maxItems"));
    }

    private static int read(SchemaName schema, String pointer) {
        JsonNode value = TraceSchemas.schemaDocument(schema).at(pointer);
        if (!value.canConvertToInt()) {
            throw new IllegalStateException("schema " + schema.fileName() + " has no limit at " + pointer);
        }
        return value.intValue();
    }
}
