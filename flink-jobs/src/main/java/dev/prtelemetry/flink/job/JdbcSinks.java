package dev.prtelemetry.flink.job;

import dev.prtelemetry.flink.assembly.ChunkRow;
import dev.prtelemetry.flink.assembly.TraceRow;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.sql.Types;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * The PostgreSQL sinks: idempotent upserts on natural keys (trace id; trace id + chunk
 * seq), batched. At-least-once delivery plus idempotent writes is effectively exactly once:
 * a replay after a restart rewrites the same rows with the same values, and an older
 * version of a trace's row never overwrites a newer one.
 */
public final class JdbcSinks {
    static final String UPSERT_TRACE = """
            INSERT INTO traces (trace_id, participant_id, task_id, state, version, event_count, chunk_count,
                                chain_head, merkle_root, verdict, reasons, metrics, header, document_uri,
                                duplicates_dropped, created_at, updated_at, skeleton)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?)
            ON CONFLICT (trace_id) DO UPDATE SET
                participant_id = EXCLUDED.participant_id, task_id = EXCLUDED.task_id, state = EXCLUDED.state,
                version = EXCLUDED.version, event_count = EXCLUDED.event_count, chunk_count = EXCLUDED.chunk_count,
                chain_head = EXCLUDED.chain_head, merkle_root = EXCLUDED.merkle_root, verdict = EXCLUDED.verdict,
                reasons = EXCLUDED.reasons, metrics = EXCLUDED.metrics, header = EXCLUDED.header,
                document_uri = COALESCE(EXCLUDED.document_uri, traces.document_uri),
                skeleton = COALESCE(EXCLUDED.skeleton, traces.skeleton),
                duplicates_dropped = EXCLUDED.duplicates_dropped, updated_at = EXCLUDED.updated_at
            WHERE traces.version < EXCLUDED.version
               OR (traces.version = EXCLUDED.version AND traces.document_uri IS NULL AND EXCLUDED.document_uri IS NOT NULL)
            """;

    static final String UPSERT_CHUNK = """
            INSERT INTO trace_event_chunks (trace_id, chunk_seq, first_seq, last_seq, events)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (trace_id, chunk_seq) DO NOTHING
            """;

    private JdbcSinks() {
    }

    public static AtLeastOnceJdbcSink<TraceRow> traces(JobConfig config) {
        return new AtLeastOnceJdbcSink<>(JdbcSink.<TraceRow>builder()
                .withQueryStatement(UPSERT_TRACE, (ps, r) -> {
                    ps.setString(1, r.traceId);
                    ps.setString(2, r.participantId);
                    ps.setString(3, r.taskId);
                    ps.setString(4, r.status);
                    ps.setLong(5, r.version);
                    ps.setLong(6, r.eventCount);
                    ps.setLong(7, r.chunkCount);
                    ps.setString(8, r.chainHead);
                    ps.setString(9, r.merkleRoot);
                    ps.setString(10, r.verdict);
                    ps.setString(11, r.reasonsJson);
                    ps.setString(12, r.metricsJson);
                    if (r.headerJson == null) {
                        ps.setNull(13, Types.OTHER);
                    } else {
                        ps.setString(13, r.headerJson);
                    }
                    ps.setString(14, r.documentUri);
                    ps.setLong(15, r.duplicatesDropped);
                    ps.setTimestamp(16, new Timestamp(r.createdAtMs));
                    ps.setTimestamp(17, new Timestamp(r.updatedAtMs));
                    ps.setString(18, r.skeletonJson);
                })
                .withExecutionOptions(execution(config))
                // not rewritten into one multi-row INSERT: a batch may hold several versions of a
                // trace, and ON CONFLICT DO UPDATE cannot touch one row twice in one statement
                .buildAtLeastOnce(connection(config, false)));
    }

    public static AtLeastOnceJdbcSink<ChunkRow> chunks(JobConfig config) {
        return new AtLeastOnceJdbcSink<>(JdbcSink.<ChunkRow>builder()
                .withQueryStatement(UPSERT_CHUNK, (ps, c) -> {
                    ps.setString(1, c.traceId);
                    ps.setLong(2, c.chunkSeq);
                    ps.setLong(3, c.firstSeq);
                    ps.setLong(4, c.lastSeq);
                    ps.setString(5, new String(c.eventsJson, StandardCharsets.UTF_8));
                })
                .withExecutionOptions(execution(config))
                .buildAtLeastOnce(connection(config, true)));
    }

    /**
     * A verification result; results are kept side by side and never overwritten — except a
     * "waiting" row (no sandbox was available), which the real verdict replaces.
     */
    static final String INSERT_QA = """
            INSERT INTO qa_validations (trace_id, trace_digest, verifier, verdict, resolved, error, sandbox, tests, flaky,
                                        limits, durations_ms, result, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, (?::jsonb)->'tests', (?::jsonb)->'flaky', (?::jsonb)->'limits',
                    (?::jsonb)->'durations_ms', ?::jsonb, ?)
            ON CONFLICT (trace_id, trace_digest, verifier) DO UPDATE SET
                verdict = EXCLUDED.verdict, resolved = EXCLUDED.resolved, error = EXCLUDED.error, sandbox = EXCLUDED.sandbox,
                tests = EXCLUDED.tests, flaky = EXCLUDED.flaky, limits = EXCLUDED.limits,
                durations_ms = EXCLUDED.durations_ms, result = EXCLUDED.result, created_at = EXCLUDED.created_at
            WHERE qa_validations.verdict = 'waiting'
            """;

    public static AtLeastOnceJdbcSink<dev.prtelemetry.flink.qa.QaResult> qaValidations(JobConfig config) {
        return new AtLeastOnceJdbcSink<>(JdbcSink.<dev.prtelemetry.flink.qa.QaResult>builder()
                .withQueryStatement(INSERT_QA, (ps, r) -> {
                    ps.setString(1, r.traceId);
                    ps.setString(2, r.traceDigest);
                    ps.setString(3, r.verifier);
                    ps.setString(4, r.verdict);
                    ps.setBoolean(5, r.resolved);
                    ps.setString(6, r.error);
                    ps.setString(7, r.sandbox);
                    for (int i = 8; i <= 12; i++) {
                        ps.setString(i, r.resultJson);
                    }
                    ps.setTimestamp(13, new Timestamp(r.createdAtMs));
                })
                .withExecutionOptions(JdbcExecutionOptions.builder().withBatchSize(50).withBatchIntervalMs(200).withMaxRetries(3).build())
                .buildAtLeastOnce(connection(config, false)));
    }

    /** A judgement; the key (trace digest, rubric, judge) is written once and never overwritten. */
    static final String INSERT_JUDGEMENT = """
            INSERT INTO qa_judgements (trace_id, trace_digest, rubric, judge, overall, scores, error, usage, result, created_at)
            VALUES (?, ?, ?, ?, ?, (?::jsonb)->'scores', ?, (?::jsonb)->'usage', ?::jsonb, ?)
            ON CONFLICT (trace_digest, rubric, judge) DO NOTHING
            """;

    public static AtLeastOnceJdbcSink<dev.prtelemetry.flink.qa.JudgementRow> qaJudgements(JobConfig config) {
        return new AtLeastOnceJdbcSink<>(JdbcSink.<dev.prtelemetry.flink.qa.JudgementRow>builder()
                .withQueryStatement(INSERT_JUDGEMENT, (ps, r) -> {
                    ps.setString(1, r.traceId);
                    ps.setString(2, r.traceDigest);
                    ps.setString(3, r.rubric);
                    ps.setString(4, r.judge);
                    if (r.overall == null) {
                        ps.setNull(5, Types.DOUBLE);
                    } else {
                        ps.setDouble(5, r.overall);
                    }
                    ps.setString(6, r.resultJson);
                    ps.setString(7, r.error);
                    ps.setString(8, r.resultJson);
                    ps.setString(9, r.resultJson);
                    ps.setTimestamp(10, new Timestamp(r.createdAtMs));
                })
                .withExecutionOptions(JdbcExecutionOptions.builder().withBatchSize(200).withBatchIntervalMs(200).withMaxRetries(3).build())
                .buildAtLeastOnce(connection(config, false)));
    }

    /** A window's counts replace the row's: every emission is the window's whole content. */
    static final String UPSERT_METRIC_WINDOW = """
            INSERT INTO metric_windows (window_size, dimension, key, window_start, window_end, events, chunks, bytes,
                                        traces_opened, traces_completed, traces_rejected, traces_abandoned,
                                        duplicates_dropped, latency_ms, verdicts, sandbox_ms, scores, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?)
            ON CONFLICT (window_size, dimension, key, window_start) DO UPDATE SET
                events = EXCLUDED.events, chunks = EXCLUDED.chunks, bytes = EXCLUDED.bytes,
                traces_opened = EXCLUDED.traces_opened, traces_completed = EXCLUDED.traces_completed,
                traces_rejected = EXCLUDED.traces_rejected, traces_abandoned = EXCLUDED.traces_abandoned,
                duplicates_dropped = EXCLUDED.duplicates_dropped, latency_ms = EXCLUDED.latency_ms,
                verdicts = EXCLUDED.verdicts, sandbox_ms = EXCLUDED.sandbox_ms, scores = EXCLUDED.scores,
                updated_at = EXCLUDED.updated_at
            """;

    public static AtLeastOnceJdbcSink<dev.prtelemetry.flink.metrics.MetricRow> metricWindows(JobConfig config) {
        return new AtLeastOnceJdbcSink<>(JdbcSink.<dev.prtelemetry.flink.metrics.MetricRow>builder()
                .withQueryStatement(UPSERT_METRIC_WINDOW, (ps, r) -> {
                    ps.setString(1, r.windowSize);
                    ps.setString(2, r.dimension);
                    ps.setString(3, r.key);
                    ps.setTimestamp(4, new Timestamp(r.windowStartMs));
                    ps.setTimestamp(5, new Timestamp(r.windowEndMs));
                    ps.setLong(6, r.events);
                    ps.setLong(7, r.chunks);
                    ps.setLong(8, r.bytes);
                    ps.setLong(9, r.opened);
                    ps.setLong(10, r.completed);
                    ps.setLong(11, r.rejected);
                    ps.setLong(12, r.abandoned);
                    ps.setLong(13, r.duplicates);
                    ps.setString(14, r.latencyJson);
                    ps.setString(15, r.verdictsJson);
                    ps.setString(16, r.sandboxJson);
                    ps.setString(17, r.scoresJson);
                    ps.setTimestamp(18, new Timestamp(r.updatedAtMs));
                })
                // small batches, flushed often: these rows are what a dashboard waits for
                .withExecutionOptions(JdbcExecutionOptions.builder().withBatchSize(200).withBatchIntervalMs(200).withMaxRetries(5).build())
                .buildAtLeastOnce(connection(config, false)));
    }

    private static JdbcExecutionOptions execution(JobConfig config) {
        return JdbcExecutionOptions.builder()
                .withBatchSize(config.jdbcBatchSize())
                .withBatchIntervalMs(config.jdbcBatchInterval().toMillis())
                .withMaxRetries(5)
                .build();
    }

    private static JdbcConnectionOptions connection(JobConfig config, boolean rewriteBatches) {
        return new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(config.jdbcUrl())
                .withDriverName("org.postgresql.Driver")
                .withUsername(config.jdbcUser())
                .withPassword(config.jdbcPassword())
                .withProperty("reWriteBatchedInserts", String.valueOf(rewriteBatches))
                .build();
    }
}
