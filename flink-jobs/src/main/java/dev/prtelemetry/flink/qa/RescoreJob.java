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
import org.apache.flink.api.java.tuple.Tuple2;
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
 * keys already stored are skipped, so running it twice adds nothing. Documents are rebuilt from
 * PostgreSQL (skeleton and chunk rows, {@link StoredDocuments}) a batch of traces per query and
 * proven against each claim check's SHA-256; a trace that cannot be rebuilt is read from the store.
 */
public final class RescoreJob {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RescoreJob.class);
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
                // read once: (content key, claim check); one claim per trace content, however often it was replayed onto the topic
                .map(json -> Tuple2.of(ClaimCheck.parseAccepted(json).contentKey(), json), Types.TUPLE(Types.STRING, Types.STRING))
                .uid("rescore-key").name("content key")
                .keyBy(t -> t.f0, Types.STRING).reduce((a, b) -> a).uid("rescore-dedupe").name("one per digest")
                .map(t -> t.f1, Types.STRING).uid("rescore-claim").name("claim check");
        // claims are judged RESCORE_IN_FLIGHT at a time, their documents rebuilt from PostgreSQL a batch per query
        // (one object-store read per trace was the cost: 4 ms of CPU each in the S3 client and server)
        AsyncDataStream.unorderedWait(claims, new Judging(config, judges, rubrics, threads()), 10, TimeUnit.MINUTES,
                        RESCORE_IN_FLIGHT)
                .uid("rescore-judge").name("judge")
                .sinkTo(JdbcSinks.qaJudgements(config)).uid("rescore-sink").name("qa judgements → PostgreSQL");
    }

    static final int RESCORE_IN_FLIGHT = 512;
    /** Claims whose documents are rebuilt by one query. */
    static final int BATCH = 32;
    /** How long a partial batch waits for more claims. */
    static final long BATCH_WAIT_MS = 5;

    /** Threads that read and judge documents ({@code PRT_RESCORE_THREADS}, default 8: reads wait on the object store). */
    static int threads() {
        return Integer.parseInt(System.getenv().getOrDefault("PRT_RESCORE_THREADS", "8"));
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
        /**
         * The submitter's judge settings ({@code PRT_LLM_*}: base URL, model, prices), as the job may run on a cluster
         * with other variables. Never the API key: a job graph is no place for a secret; the cluster's environment holds it.
         */
        private final HashMap<String, String> judgeEnv;
        private transient ExecutorService pool;
        private transient java.util.concurrent.ScheduledExecutorService timer;
        private transient TraceJudging judging;
        private transient ThreadLocal<StoredDocuments> documents;
        private transient List<StoredDocuments> opened;
        private transient List<Pending> pending;
        private transient boolean flushScheduled;

        /** A claim waiting for its batch, and where its judgements go. */
        private record Pending(ClaimCheck claim, ResultFuture<JudgementRow> result) {
        }

        Judging(JobConfig config, List<String> judges, List<String> rubrics, int threads) {
            this.config = config;
            this.judgeNames = List.copyOf(judges);
            this.rubricNames = List.copyOf(rubrics);
            this.threads = threads;
            this.judgeEnv = new HashMap<>();
            System.getenv().forEach((k, v) -> {
                if (k.startsWith("PRT_LLM_")) {
                    judgeEnv.put(k, v);
                }
            });
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            List<Judge> judges = new ArrayList<>();
            Map<String, String> env = new HashMap<>(System.getenv());
            env.putAll(judgeEnv);
            for (String j : judgeNames) {
                judges.add(Judges.create(j, null, null, "OPENAI_API_KEY", env));
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
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "prt-rescore-batcher");
                t.setDaemon(true);
                return t;
            });
            opened = java.util.Collections.synchronizedList(new ArrayList<>());
            documents = ThreadLocal.withInitial(() -> {
                StoredDocuments d = new StoredDocuments(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
                opened.add(d);
                return d;
            });
            pending = new ArrayList<>();
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

        /** Collects claims into batches of {@link #BATCH} (a partial one leaves after {@link #BATCH_WAIT_MS}). */
        @Override
        public void asyncInvoke(String claim, ResultFuture<JudgementRow> result) {
            ClaimCheck parsed;
            try {
                parsed = ClaimCheck.parseAccepted(claim);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            synchronized (this) {
                pending.add(new Pending(parsed, result));
                if (pending.size() >= BATCH) {
                    dispatch();
                } else if (!flushScheduled) {
                    flushScheduled = true;
                    timer.schedule(() -> {
                        synchronized (Judging.this) {
                            flushScheduled = false;
                            dispatch();
                        }
                    }, BATCH_WAIT_MS, TimeUnit.MILLISECONDS);
                }
            }
        }

        /** Hands the pending claims to a judging thread (called holding the lock). */
        private void dispatch() {
            if (pending.isEmpty()) {
                return;
            }
            List<Pending> batch = pending;
            pending = new ArrayList<>();
            pool.execute(() -> judgeBatch(batch));
        }

        /**
         * One query rebuilds the batch's documents; each claim is judged with its rebuilt document
         * (proven against the claim's SHA-256 there) or, when it could not be rebuilt, one read from the store.
         */
        private void judgeBatch(List<Pending> batch) {
            Map<String, byte[]> rebuilt;
            try {
                rebuilt = documents.get().rebuild(batch.stream().filter(p -> p.claim().isComplete())
                        .map(p -> p.claim().traceId()).toList());
            } catch (Exception e) {
                LOG.warn("documents could not be rebuilt from PostgreSQL ({}); reading them from the store", e.toString());
                rebuilt = Map.of();
            }
            for (Pending p : batch) {
                try {
                    p.result().complete(judging.judge(p.claim(), rebuilt.get(p.claim().traceId())));
                } catch (Throwable e) {
                    p.result().completeExceptionally(e);
                }
            }
        }

        @Override
        public void close() {
            if (timer != null) {
                timer.shutdownNow();
            }
            if (pool != null) {
                pool.shutdownNow();
            }
            if (opened != null) {
                opened.forEach(StoredDocuments::close);
            }
        }
    }
}
