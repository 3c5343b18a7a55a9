package dev.prtelemetry.flink.qa;

import dev.prtelemetry.flink.job.JdbcSinks;
import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.qa.judging.Judge;
import dev.prtelemetry.qa.judging.Judges;
import dev.prtelemetry.schemas.rubric.Rubric;
import dev.prtelemetry.schemas.stream.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import dev.prtelemetry.schemas.stream.ClaimCheck;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Re-scoring: a BATCH job over a bounded replay of {@code prt.traces-assembled} (optionally a
 * time range) that judges every complete trace with the given judges on the given rubrics and
 * writes the judgements beside the old ones ({@code qa_judgements} keys never overwritten);
 * keys already stored are skipped, so running it twice adds nothing.
 */
public final class RescoreJob {
    private RescoreJob() {
    }

    public static void define(StreamExecutionEnvironment env, JobConfig config, List<String> judges, List<String> rubrics,
                              Long fromMs, Long toMs) {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        KafkaSource<String> replay = KafkaSource.<String>builder()
                .setBootstrapServers(config.kafkaBootstrapServers())
                .setTopics(Topics.TRACES_ASSEMBLED)
                .setGroupId("prt-rescore-" + UUID.randomUUID())
                .setStartingOffsets(fromMs == null ? OffsetsInitializer.earliest() : OffsetsInitializer.timestamp(fromMs))
                .setBounded(toMs == null ? OffsetsInitializer.latest() : OffsetsInitializer.timestamp(toMs))
                .setDeserializer(new dev.prtelemetry.flink.qa.ClaimCheckDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
        var claims = env.fromSource(replay, WatermarkStrategy.noWatermarks(), "traces-assembled replay").uid("rescore-source")
                // one claim per trace content, however often it was replayed onto the topic
                .keyBy(RescoreJob::digest, Types.STRING).reduce((a, b) -> a).uid("rescore-dedupe").name("one per digest");
        // documents are read (and judged) RESCORE_IN_FLIGHT at a time: one S3 read after another was the cost
        AsyncDataStream.unorderedWait(claims, new Judging(config, judges, rubrics, threads()), 10, TimeUnit.MINUTES,
                        RESCORE_IN_FLIGHT)
                .uid("rescore-judge").name("judge")
                .sinkTo(JdbcSinks.qaJudgements(config)).uid("rescore-sink").name("qa judgements → PostgreSQL");
    }

    static final int RESCORE_IN_FLIGHT = 64;

    /** Threads that read and judge documents ({@code PRT_RESCORE_THREADS}, default 8: reads wait on the object store). */
    static int threads() {
        return Integer.parseInt(System.getenv().getOrDefault("PRT_RESCORE_THREADS", "8"));
    }

    static String digest(String claim) {
        return ClaimCheck.parse(claim).contentKey();
    }

    /**
     * The judging step: {@link TraceJudging} on a pool of threads of its own, with the keys stored
     * for the rubrics asked for read from PostgreSQL once, at start (a re-run skips them).
     */
    static final class Judging extends RichAsyncFunction<String, JudgementRow> {
        private static final long serialVersionUID = 1L;
        private final JobConfig config;
        private final List<String> judgeNames;
        private final List<String> rubricNames;
        private final int threads;
        private transient ExecutorService pool;
        private transient TraceJudging judging;

        Judging(JobConfig config, List<String> judges, List<String> rubrics, int threads) {
            this.config = config;
            this.judgeNames = List.copyOf(judges);
            this.rubricNames = List.copyOf(rubrics);
            this.threads = threads;
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            List<Judge> judges = new ArrayList<>();
            for (String j : judgeNames) {
                judges.add(Judges.create(j, null, null, "OPENAI_API_KEY", System.getenv()));
            }
            List<Rubric> rubrics = rubricNames.stream().map(Rubric::load).toList();
            Map<String, Set<String>> stored = storedKeys(rubrics.stream().map(Rubric::key).toList());
            judging = new TraceJudging(judges, rubrics, digest -> stored.getOrDefault(digest, Set.of()),
                    SandboxVerifyFunction::read);
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "prt-rescore");
                t.setDaemon(true);
                return t;
            });
        }

        private Map<String, Set<String>> storedKeys(List<String> rubrics) throws Exception {
            Map<String, Set<String>> out = new HashMap<>();
            try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT trace_digest, rubric, judge FROM qa_judgements WHERE rubric = ANY (?)")) {
                ps.setArray(1, c.createArrayOf("text", rubrics.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new HashSet<>())
                                .add(TraceJudging.key(rs.getString(2), rs.getString(3)));
                    }
                }
            }
            return out;
        }

        @Override
        public void asyncInvoke(String claim, ResultFuture<JudgementRow> result) {
            pool.execute(() -> {
                try {
                    result.complete(judging.judge(claim));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }
}
