package dev.prtelemetry.qa.judging;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One judge's scores of one trace on one rubric. The overall score is the rubric's weighted
 * sum of the dimension scores, computed here; {@code error} is set (and scores empty) when the
 * judge could not give valid scores.
 */
public record Judgement(String judge, String rubric, Map<String, Score> scores, Double overall, String error, Usage usage) {
    /** A dimension's score 0–5, why, and the event ids it rests on. */
    public record Score(int score, String justification, List<String> evidence) {
    }

    /** What the model calls cost (zero for the heuristic judge); {@code costUsd} null when no prices are configured. */
    public record Usage(long promptTokens, long completionTokens, int calls, Double costUsd) {
        public static final Usage NONE = new Usage(0, 0, 0, 0.0);

        public Usage(long promptTokens, long completionTokens, int calls) {
            this(promptTokens, completionTokens, calls, null);
        }
    }

    public static Judgement of(String judge, Rubric rubric, Map<String, Score> scores, Usage usage) {
        Map<String, Integer> s = new LinkedHashMap<>();
        scores.forEach((k, v) -> s.put(k, v.score()));
        return new Judgement(judge, rubric.key(), Map.copyOf(new LinkedHashMap<>(scores)), rubric.overall(s), null, usage);
    }

    public static Judgement failed(String judge, Rubric rubric, String error, Usage usage) {
        return new Judgement(judge, rubric.key(), Map.of(), null, error, usage);
    }

    /** {@code {judge, rubric, scores: {<dimension>: {score, justification, evidence}}, overall, error?}} in rubric order. */
    public ObjectNode toJson(Rubric r) {
        ObjectNode n = StrictJson.mapper().createObjectNode();
        n.put("judge", judge);
        n.put("rubric", rubric);
        ObjectNode s = n.putObject("scores");
        for (Rubric.Dimension d : r.dimensions()) {
            Score sc = scores.get(d.id());
            if (sc != null) {
                ObjectNode o = s.putObject(d.id());
                o.put("score", sc.score());
                o.put("justification", sc.justification());
                ArrayNode ev = o.putArray("evidence");
                sc.evidence().forEach(ev::add);
            }
        }
        if (overall != null) {
            n.put("overall", overall);
        } else {
            n.putNull("overall");
        }
        if (error != null) {
            n.put("error", error);
        }
        ObjectNode u = n.putObject("usage");
        u.put("prompt_tokens", usage.promptTokens());
        u.put("completion_tokens", usage.completionTokens());
        u.put("calls", usage.calls());
        if (usage.costUsd() != null) {
            u.put("cost_usd", usage.costUsd());
        }
        return n;
    }
}
