package dev.prtelemetry.qa.judging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Agreement between judges: Krippendorff's alpha with the interval metric (Krippendorff 2011,
 * "Computing Krippendorff's Alpha-Reliability"), over units that several judges scored (a unit
 * is one trace × one dimension); missing values are allowed. 1 is perfect agreement, 0 is
 * agreement at chance, below 0 systematic disagreement.
 */
public final class Agreement {
    private Agreement() {
    }

    /** {@code units.get(u)} holds the values the judges gave unit u (nulls for judges that did not). */
    public static double alphaInterval(List<List<Double>> units) {
        List<List<Double>> pairable = new ArrayList<>();
        for (List<Double> u : units) {
            List<Double> v = u.stream().filter(java.util.Objects::nonNull).toList();
            if (v.size() >= 2) {
                pairable.add(v);
            }
        }
        double n = pairable.stream().mapToInt(List::size).sum();
        if (n < 2) {
            return Double.NaN;
        }
        double observed = 0;
        for (List<Double> v : pairable) {
            double sum = 0;
            for (int i = 0; i < v.size(); i++) {
                for (int j = 0; j < v.size(); j++) {
                    if (i != j) {
                        sum += sq(v.get(i) - v.get(j));
                    }
                }
            }
            observed += sum / (v.size() - 1);
        }
        observed /= n;
        List<Double> all = new ArrayList<>();
        pairable.forEach(all::addAll);
        double expected = 0;
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < all.size(); j++) {
                if (i != j) {
                    expected += sq(all.get(i) - all.get(j));
                }
            }
        }
        expected /= n * (n - 1);
        if (expected == 0) {
            return observed == 0 ? 1.0 : Double.NaN;
        }
        return 1 - observed / expected;
    }

    /** Units from judgements: one unit per (trace, dimension), one value per judge. */
    public static List<List<Double>> units(List<Map<String, Judgement>> perTrace, List<String> judges, List<String> dimensions) {
        List<List<Double>> units = new ArrayList<>();
        for (Map<String, Judgement> byJudge : perTrace) {
            for (String d : dimensions) {
                List<Double> values = new ArrayList<>();
                for (String j : judges) {
                    Judgement jm = byJudge.get(j);
                    Judgement.Score s = jm == null ? null : jm.scores().get(d);
                    values.add(s == null ? null : (double) s.score());
                }
                units.add(values);
            }
        }
        return units;
    }

    /** Mean and spread (max − min) of the judges' scores of one dimension. */
    public record Spread(double mean, double spread, int judges) {
    }

    public static Spread spread(List<Judgement> judgements, String dimension) {
        List<Integer> v = judgements.stream().map(j -> j.scores().get(dimension)).filter(java.util.Objects::nonNull)
                .map(Judgement.Score::score).toList();
        if (v.isEmpty()) {
            return new Spread(Double.NaN, Double.NaN, 0);
        }
        double mean = v.stream().mapToInt(Integer::intValue).average().orElse(Double.NaN);
        int max = v.stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = v.stream().mapToInt(Integer::intValue).min().orElse(0);
        return new Spread(Math.round(mean * 1000) / 1000.0, max - min, v.size());
    }

    private static double sq(double x) {
        return x * x;
    }
}
