package dev.prtelemetry.qa.judging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JudgingTest {
    static final Rubric V1 = Rubric.load("debugging@1");

    static JsonNode example(String name) throws Exception {
        return StrictJson.parse(Files.readAllBytes(Path.of("../examples", name, "trace.json")));
    }

    @Test
    void rubricsAreDataAndTheOverallIsTheWeightedSum() {
        assertThat(V1.dimensions()).extracting(Rubric.Dimension::id).containsExactly("problem_understanding", "causal_linking",
                "experiment_design", "efficiency", "reproducibility", "safety_hygiene");
        assertThat(V1.dimensions()).extracting(Rubric.Dimension::weight).containsExactly(0.20, 0.25, 0.20, 0.15, 0.10, 0.10);
        assertThat(V1.overall(Map.of("problem_understanding", 5, "causal_linking", 4, "experiment_design", 3, "efficiency", 2,
                "reproducibility", 1, "safety_hygiene", 0))).isEqualTo(1.0 + 1.0 + 0.6 + 0.3 + 0.1);
        assertThat(Rubric.load("debugging-v2").version()).isEqualTo(2);
        assertThat(Rubric.load("debugging").version()).isEqualTo(2); // the newest bundled
        V1.dimensions().forEach(d -> assertThat(d.levels()).containsOnlyKeys("0", "1", "2", "3", "4", "5"));
    }

    @Test
    void theHeuristicJudgeOrdersTheExamplesSensiblyExplainsWithEventsAndIsDeterministic() throws Exception {
        HeuristicJudge judge = new HeuristicJudge();
        Judgement simple = judge.judge(example("dates-leap-day"), V1);
        Judgement complex = judge.judge(example("cart-discount"), V1);
        Judgement failed = judge.judge(example("auth-token-expiry"), V1);
        assertThat(complex.overall()).isGreaterThan(simple.overall());
        assertThat(failed.overall()).isLessThan(simple.overall());
        // the failed attempt is scored on its process: its reasoning scores as well as the best fix's
        assertThat(failed.scores().get("causal_linking").score()).isEqualTo(complex.scores().get("causal_linking").score());
        assertThat(failed.scores().get("reproducibility").score()).isLessThan(complex.scores().get("reproducibility").score());
        for (Judgement j : List.of(simple, complex, failed)) {
            assertThat(j.judge()).isEqualTo("heuristic-v1");
            j.scores().values().forEach(s -> assertThat(s.justification()).contains("heuristic judge"));
            double weighted = V1.dimensions().stream().mapToDouble(d -> d.weight() * j.scores().get(d.id()).score()).sum();
            assertThat(j.overall()).isCloseTo(weighted, within(1e-9));
        }
        assertThat(complex.scores().get("causal_linking").evidence()).contains("ev-8", "ev-10");
        assertThat(failed.scores().get("efficiency").evidence()).contains("ev-5", "ev-7");
        for (int i = 0; i < 5; i++) {
            assertThat(judge.judge(example("cart-discount"), V1)).isEqualTo(complex);
        }
    }

    @Test
    void theRenderingIsDeterministicBoundedAndCitesEventIds() throws Exception {
        JsonNode doc = example("cart-discount");
        String full = TraceRendering.render(doc, 6000);
        assertThat(full).isEqualTo(TraceRendering.render(doc, 6000));
        assertThat(full).contains("[ev-0] note/plan").contains("[ev-2] test_run pytest: 1 passed, 3 failed")
                .contains("[ev-5] edit cart/pricing.py (+1 -1)").contains("(cites ev-9)");
        String small = TraceRendering.render(doc, 150);
        assertThat(small.length()).isLessThanOrEqualTo(600);
        assertThat(small).contains("[ev-0]").contains("elided");
    }

    @Test
    void krippendorffsAlphaMatchesThePublishedExample() {
        // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 coders × 12 units example
        Double x = null;
        Double[][] coders = {
            {1d, 2d, 3d, 3d, 2d, 1d, 4d, 1d, 2d, x, x, x},
            {1d, 2d, 3d, 3d, 2d, 2d, 4d, 1d, 2d, 5d, x, 3d},
            {x, 3d, 3d, 3d, 2d, 3d, 4d, 2d, 2d, 5d, 1d, x},
            {1d, 2d, 3d, 3d, 2d, 4d, 4d, 1d, 2d, 5d, 1d, x}};
        List<List<Double>> units = new ArrayList<>();
        for (int u = 0; u < 12; u++) {
            List<Double> values = new ArrayList<>();
            for (Double[] c : coders) {
                values.add(c[u]);
            }
            units.add(values);
        }
        assertThat(Agreement.alphaInterval(units)).isCloseTo(0.849, within(0.0005));
        assertThat(Agreement.alphaInterval(List.of(Arrays.asList(3d, 3d), Arrays.asList(1d, 1d)))).isEqualTo(1.0);
    }
}
