package dev.prtelemetry.flink.job;

import dev.prtelemetry.flink.metrics.Dimensions;
import dev.prtelemetry.flink.metrics.MetricRow;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;

/**
 * Keeps an erased participant's metrics windows from coming back: a window under the
 * participant's id that started before their latest erasure is not emitted again (the windows'
 * state still holds it until its lateness ends, and the hour's window fires at the hour). The
 * erasure list is asked at most every {@link #REFRESH_MS} per participant. PostgreSQL refuses such
 * rows too (V10), which also covers a row already on its way when the erasure ran.
 */
public class ErasedParticipantWindows extends RichFilterFunction<MetricRow> {
    private static final long serialVersionUID = 1L;
    static final long REFRESH_MS = 5_000;

    private final ErasureList erasures;
    private transient Map<String, long[]> known; // participant → {erased at ms or -1, checked at ms}

    public ErasedParticipantWindows(ErasureList erasures) {
        this.erasures = erasures;
    }

    @Override
    public void open(OpenContext context) {
        known = new HashMap<>();
    }

    @Override
    public boolean filter(MetricRow row) throws Exception {
        if (!Dimensions.PARTICIPANT.equals(row.dimension)) {
            return true;
        }
        long now = System.currentTimeMillis();
        long[] k = known.get(row.key);
        if (k == null || now - k[1] > REFRESH_MS) {
            k = new long[] {erasures.participantErasedAtMs(row.key), now};
            known.put(row.key, k);
        }
        return k[0] < 0 || row.windowStartMs > k[0];
    }

    @Override
    public void close() throws Exception {
        erasures.close();
    }
}
