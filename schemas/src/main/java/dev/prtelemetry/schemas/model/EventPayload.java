package dev.prtelemetry.schemas.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** The type-specific part of an event; its JSON shape is the matching payload schema. */
public sealed interface EventPayload {
    @JsonIgnore
    EventType type();

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FileEdit(String path, String diff, String diffRef, String beforeSha256, String afterSha256,
                    Integer linesAdded, Integer linesRemoved) implements EventPayload {
        @Override
        public EventType type() {
            return EventType.FILE_EDIT;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CmdRun(String command, String cwd, Integer exitCode, String signal, double durationS,
                  String outputExcerpt, Boolean outputTruncated, String outputRef) implements EventPayload {
        @Override
        public EventType type() {
            return EventType.CMD_RUN;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TestRun(String framework, String command, Integer exitCode, Double durationS, TestSummary summary,
                   List<TestCase> cases, String reportRef) implements EventPayload {
        @Override
        public EventType type() {
            return EventType.TEST_RUN;
        }
    }

    record TestSummary(int total, int passed, int failed, int errors, int skipped) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TestCase(String name, String classname, String file, TestOutcome outcome, Double durationS, String message) {
    }

    enum TestOutcome {
        @com.fasterxml.jackson.annotation.JsonProperty("passed") PASSED,
        @com.fasterxml.jackson.annotation.JsonProperty("failed") FAILED,
        @com.fasterxml.jackson.annotation.JsonProperty("error") ERROR,
        @com.fasterxml.jackson.annotation.JsonProperty("skipped") SKIPPED
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Commit(String sha, String message, List<String> parents, String author, String diff, String diffRef)
            implements EventPayload {
        @Override
        public EventType type() {
            return EventType.COMMIT;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RationaleNote(NoteKind kind, String text, List<String> refs) implements EventPayload {
        @Override
        public EventType type() {
            return EventType.RATIONALE_NOTE;
        }
    }

    enum NoteKind {
        @com.fasterxml.jackson.annotation.JsonProperty("plan") PLAN,
        @com.fasterxml.jackson.annotation.JsonProperty("hypothesis") HYPOTHESIS,
        @com.fasterxml.jackson.annotation.JsonProperty("observation") OBSERVATION,
        @com.fasterxml.jackson.annotation.JsonProperty("decision") DECISION,
        @com.fasterxml.jackson.annotation.JsonProperty("next_step") NEXT_STEP
    }
}
