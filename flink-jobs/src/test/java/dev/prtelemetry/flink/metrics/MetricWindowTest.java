package dev.prtelemetry.flink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prtelemetry.schemas.json.StrictJson;
import java.util.List;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

class MetricWindowTest {
    @Test
    void latencyBucketsHoldWhatTheySayAndAreAtMostNinePercentWide() {
        for (long ms = 0; ms < 5_000_000; ms = ms < 100 ? ms + 1 : ms + ms / 37) {
            int b = MetricWindow.latencyBucket(ms);
            assertThat(MetricWindow.bucketUpperMs(b)).as("upper of %d", ms).isGreaterThanOrEqualTo(ms);
            if (b > 0) {
                assertThat(MetricWindow.bucketUpperMs(b - 1)).as("previous upper of %d", ms).isLessThan(ms);
            }
            assertThat((double) MetricWindow.bucketUpperMs(b)).isLessThanOrEqualTo(Math.max(ms, 1) * 1.13 + 1);
        }
    }

    @Test
    void percentilesComeFromTheHistogram() {
        MetricWindow w = new MetricWindow();
        for (int i = 1; i <= 100; i++) {
            MetricFact f = new MetricFact();
            f.latencyMs = i * 10L;
            w.add(f);
        }
        assertThat(w.latencyPercentileMs(50)).isBetween(500L, 545L);
        assertThat(w.latencyPercentileMs(99)).isBetween(990L, 1000L);
        assertThat(w.latencyPercentileMs(100)).isEqualTo(1000L);
        assertThat(new MetricWindow().latencyPercentileMs(50)).isEqualTo(-1);
    }

    @Test
    void mergingInAnyOrderGivesTheSameCounts() {
        List<MetricFact> facts = List.of(fact(3, "resolved", 2.5), fact(1, "error", 4.0), fact(7, "resolved", 5.0));
        MetricWindow ab = new MetricWindow();
        MetricWindow c = new MetricWindow();
        ab.add(facts.get(0));
        ab.add(facts.get(1));
        c.add(facts.get(2));
        MetricWindow ca = new MetricWindow();
        ca.add(facts.get(2));
        MetricWindow rest = new MetricWindow();
        rest.add(facts.get(1));
        rest.add(facts.get(0));
        String one = MetricRow.of("1m", 0, 60_000, "all", "", ab.merge(c), 1).json();
        String two = MetricRow.of("1m", 0, 60_000, "all", "", ca.merge(rest), 1).json();
        assertThat(one).isEqualTo(two);
        var json = StrictJson.parse(one);
        assertThat(json.at("/events").asLong()).isEqualTo(11);
        assertThat(json.at("/verdicts/resolved").asLong()).isEqualTo(2);
        assertThat(json.at("/scores/debugging@1/overall/count").asLong()).isEqualTo(3);
        assertThat(json.at("/scores/debugging@1/overall/mean").asDouble()).isEqualTo(3.833);
        assertThat(json.at("/scores/debugging@1/overall/buckets/9").asLong()).isEqualTo(1); // 5.0 counts in the top bucket
        assertThat(json.at("/id").asText()).isEqualTo("1m|all||1970-01-01T00:00:00Z");
    }

    @Test
    void metricTypesAreSerializedWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(MetricFact.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(MetricWindow.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(MetricRow.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ScoreStats.class);
    }

    private static MetricFact fact(long events, String verdict, double score) {
        MetricFact f = new MetricFact();
        f.events = events;
        f.verdict = verdict;
        f.scoreName = "debugging@1/overall";
        f.score = score;
        return f;
    }
}
