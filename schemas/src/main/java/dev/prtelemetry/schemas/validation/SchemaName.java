package dev.prtelemetry.schemas.validation;

/** The JSON Schema documents of trace format v1, each a file under {@code prt/schemas/v1/}. */
public enum SchemaName {
    CREATE_TRACE_REQUEST("create-trace-request"),
    CHUNK("chunk"),
    EVENT("event"),
    FILE_EDIT("file-edit"),
    CMD_RUN("cmd-run"),
    TEST_RUN("test-run"),
    COMMIT("commit"),
    RATIONALE_NOTE("rationale-note"),
    ARTIFACT_REF("artifact-ref"),
    COMPLETE_REQUEST("complete-request"),
    TRACE("trace"),
    /** Format v0, the replaced system's chunks and events (issue 18), and what the assembly translates them into. */
    V0_CHUNK("v0-chunk"),
    V0_EVENT("v0-event"),
    V0_TRANSLATED("v0-translated");

    public static final String ID_PREFIX = "https://schemas.prtelemetry.dev/v1/";
    public static final String RESOURCE_PREFIX = "prt/schemas/v1/";

    private final String baseName;

    SchemaName(String baseName) {
        this.baseName = baseName;
    }

    public String fileName() {
        return baseName + ".schema.json";
    }

    /** The schema's {@code $id}. */
    public String id() {
        return ID_PREFIX + fileName();
    }

    public String resourcePath() {
        return RESOURCE_PREFIX + fileName();
    }

    /** Accepts {@code chunk}, {@code create-trace-request}, {@code CHUNK}… as a user would type it. */
    public static SchemaName parse(String name) {
        String wanted = name.trim().toLowerCase().replace('_', '-').replace(".schema.json", "");
        for (SchemaName s : values()) {
            if (s.baseName.equals(wanted)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown schema '" + name + "'; known: " + java.util.Arrays.stream(values())
                .map(s -> s.baseName).toList());
    }

    public String baseName() {
        return baseName;
    }
}
