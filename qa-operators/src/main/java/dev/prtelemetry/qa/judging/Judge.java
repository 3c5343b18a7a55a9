package dev.prtelemetry.qa.judging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.rubric.Rubric;

/** Scores a trace document on a rubric. */
public interface Judge {
    /** Identifies the judge for caching: kind, model and prompt version (e.g. {@code llm:gpt-4o-mini:prompt-v1}). */
    String id();

    Judgement judge(JsonNode trace, Rubric rubric);
}
