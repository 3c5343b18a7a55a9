package dev.prtelemetry.flink.metrics;

/** Count, sum and a half-point histogram of one rubric dimension's scores (0–5) in a window. */
public class ScoreStats {
    public static final int BUCKETS = 10;

    public long count;
    public double sum;
    /** [0, 0.5), [0.5, 1), …, [4.5, 5]: scores above 5 count in the last, below 0 in the first. */
    public long[] buckets = new long[BUCKETS];

    public ScoreStats() {
    }

    public void add(double score) {
        count++;
        sum += score;
        buckets[bucket(score)]++;
    }

    public void merge(ScoreStats o) {
        count += o.count;
        sum += o.sum;
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] += o.buckets[i];
        }
    }

    static int bucket(double score) {
        return (int) Math.max(0, Math.min(BUCKETS - 1, Math.floor(score * 2)));
    }

    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }
}
