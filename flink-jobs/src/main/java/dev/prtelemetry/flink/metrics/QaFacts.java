package dev.prtelemetry.flink.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.flink.qa.JudgementRow;
import dev.prtelemetry.flink.qa.QaResult;
import dev.prtelemetry.schemas.json.StrictJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The metric facts of the QA stages: one per verification (its verdict and the time its sandbox
 * ran) and one per judged dimension and per overall score. Event time is the result's creation
 * time, which a stored result keeps when a replay finds it again.
 */
public final class QaFacts {
    private QaFacts() {
    }

    public static MetricFact of(QaResult r) {
        MetricFact f = MetricFact.of(r.traceId, r.participantId, r.taskId, r.repo, r.createdAtMs);
        f.verdict = r.verdict;
        f.sandboxMs = sandboxMs(r.resultJson);
        return f;
    }

    public static List<MetricFact> of(JudgementRow r) {
        List<MetricFact> facts = new ArrayList<>();
        if (r.overall == null || r.resultJson == null) {
            return facts; // a judge that failed has no scores to count
        }
        facts.add(score(r, r.rubric + "/overall", r.overall));
        JsonNode scores = StrictJson.parseAccepted(r.resultJson).path("scores");
        scores.fieldNames().forEachRemaining(dim -> {
            JsonNode s = scores.path(dim).path("score");
            if (s.isNumber()) {
                facts.add(score(r, r.rubric + "/" + dim, s.doubleValue()));
            }
        });
        return facts;
    }

    private static MetricFact score(JudgementRow r, String name, double value) {
        MetricFact f = MetricFact.of(r.traceId, r.participantId, r.taskId, r.repo, r.createdAtMs);
        f.scoreName = name;
        f.score = value;
        return f;
    }

    /** The sandbox's run time: the sum of every test run's duration before and after the fix; -1 when none ran. */
    static long sandboxMs(String resultJson) {
        if (resultJson == null) {
            return -1;
        }
        JsonNode d = StrictJson.parseAccepted(resultJson).path("durations_ms");
        if (!d.isObject()) {
            return -1;
        }
        long total = 0;
        boolean any = false;
        for (String side : new String[] {"before", "after"}) {
            for (JsonNode ms : d.path(side)) {
                try {
                    total += Long.parseLong(ms.asText());
                    any = true;
                } catch (NumberFormatException notANumber) {
                    // not a duration; skipped
                }
            }
        }
        return any ? total : -1;
    }
}
