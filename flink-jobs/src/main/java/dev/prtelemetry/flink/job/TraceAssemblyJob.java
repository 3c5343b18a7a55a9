package dev.prtelemetry.flink.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.assembly.AssembledTrace;
import dev.prtelemetry.flink.assembly.ChunkRow;
import dev.prtelemetry.flink.assembly.DeadLetterRecord;
import dev.prtelemetry.flink.assembly.TraceAssembler;
import dev.prtelemetry.flink.assembly.TraceAssemblyFunction;
import dev.prtelemetry.flink.assembly.TraceRecord;
import dev.prtelemetry.flink.assembly.TraceRow;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.flink.qa.JdbcResultStore;
import dev.prtelemetry.flink.qa.QaConfig;
import dev.prtelemetry.flink.qa.QaWorkflow;
import dev.prtelemetry.flink.qa.SandboxVerifyFunction;
import dev.prtelemetry.flink.metrics.Dimensions;
import dev.prtelemetry.flink.metrics.MetricFact;
import dev.prtelemetry.flink.metrics.MetricRow;
import dev.prtelemetry.flink.metrics.MetricsWorkflow;
import dev.prtelemetry.flink.metrics.ErasedParticipantWindows;
import dev.prtelemetry.flink.metrics.ParticipantErasure;
import dev.prtelemetry.schemas.stream.Topics;
import java.util.Properties;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The trace assembly job: {@code prt.trace-records} → keyBy(trace id) → {@link TraceAssemblyFunction}
 * → PostgreSQL (trace rows, event chunks), documents in S3, claim checks on
 * {@code prt.traces-assembled}, dead letters on {@code prt.dead-letter}.
 *
 * <p>{@link #defineWorkflow} is a pure function of its source and sinks, so tests pass
 * bounded sources and collecting sinks; {@link #runJob} wires Kafka, JDBC and the filesystem.
 */
public final class TraceAssemblyJob {
    public static final String NAME = "prt-trace-assembly";
    static final int MAX_PARALLELISM = 128;

    private TraceAssemblyJob() {
    }

    /** The sinks of the workflow. */
    public record Sinks(Sink<TraceRow> traces, Sink<ChunkRow> chunks, Sink<String> claimChecks,
                        Sink<String> deadLetters) {
    }

    public static void main(String[] args) throws Exception {
        JobConfig config = JobConfig.fromEnv(System.getenv());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        runJob(env, config);
    }

    /** Settings every run of this job uses, embedded or on a cluster. */
    public static Configuration flinkConfiguration(JobConfig config) {
        Configuration conf = new Configuration();
        conf.setString("pipeline.generic-types", "false"); // a type that would need Kryo fails at start
        // No defensive copies between chained operators: every function here emits new objects
        // and never changes one after emitting it (DocumentWriter's input arrives over the network).
        conf.setString("pipeline.object-reuse", "true");
        conf.setString("execution.checkpointing.interval", config.checkpointInterval().toMillis() + " ms");
        conf.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
        if (config.checkpointDir() != null) {
            conf.setString("execution.checkpointing.dir", config.checkpointDir());
            conf.setString("execution.checkpointing.storage", "filesystem");
        }
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        return conf;
    }

    public static JobExecutionResult runJob(StreamExecutionEnvironment env, JobConfig config) throws Exception {
        env.setParallelism(config.parallelism());
        env.setMaxParallelism(MAX_PARALLELISM);
        definePipeline(env, config, QaConfig.fromEnv(System.getenv(), config.documentsBaseUri()), System.getenv());
        return env.execute(NAME);
    }

    /**
     * The whole pipeline on Kafka, PostgreSQL and the document store: the assembly, the QA stages
     * when enabled, and the live metrics over both unless {@code PRT_METRICS=off}.
     */
    public static void definePipeline(StreamExecutionEnvironment env, JobConfig config, QaConfig qa, java.util.Map<String, String> settings) {
        Assembly assembly = defineWorkflow(env, kafkaSource(config), sinks(config), config);
        QaWorkflow.Outputs qaResults = defineQa(env, config, qa);
        if (MetricsWorkflow.Settings.enabled(settings)) {
            ErasureList erasures = new ErasureList(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
            defineMetrics(assembly.facts(), qaResults == null ? null : qaResults.facts(), assembly.erasures(),
                    MetricsWorkflow.Settings.fromEnv(settings), new ErasedParticipantWindows(erasures),
                    JdbcSinks.metricWindows(config), metricsTopicSink(config),
                    kafkaSink(config, "late-metric-facts", Topics.DEAD_LETTER, "trace_id"));
        }
    }

    /**
     * The metrics windows over the assembly's facts and (when QA runs) the QA stages' facts →
     * {@code metric_windows}, {@code prt.metrics}, and facts later than the allowed lateness as dead letters.
     */
    public static void defineMetrics(DataStream<MetricFact> assemblyFacts, DataStream<MetricFact> qaFacts,
                                     DataStream<ParticipantErasure> participantErasures, MetricsWorkflow.Settings settings,
                                     ErasedParticipantWindows erased, Sink<MetricRow> table, Sink<MetricRow> topic,
                                     Sink<String> lateFacts) {
        DataStream<MetricFact> facts = MetricsWorkflow.withEventTime(assemblyFacts, settings, "assembly-facts-event-time");
        if (qaFacts != null) {
            facts = facts.union(MetricsWorkflow.withEventTime(qaFacts, settings, "qa-facts-event-time"));
        }
        MetricsWorkflow.Windows windows = MetricsWorkflow.define(facts, settings);
        // a participant's windows pass their erasures, keyed by participant; the topic sink is chained to
        // that operator, so a withdrawn window's tombstone follows its record in the same partition
        DataStream<MetricRow> participantRows = windows.rows().filter(r -> Dimensions.PARTICIPANT.equals(r.dimension))
                .uid("metric-windows-participant").name("participant windows")
                .connect(participantErasures)
                .keyBy(r -> r.key, e -> e.participantId, Types.STRING)
                .process(erased, TypeInformation.of(MetricRow.class)).uid("metric-windows-erased")
                .name("erased participants' windows withdrawn");
        DataStream<MetricRow> rows = windows.rows().filter(r -> !Dimensions.PARTICIPANT.equals(r.dimension))
                .uid("metric-windows-others").name("overall, task and repository windows")
                .union(participantRows);
        rows.filter(r -> !r.isTombstone()).uid("metric-windows-rows").name("windows, not tombstones")
                .sinkTo(table).uid("metric-windows-sink").name("metric windows → PostgreSQL");
        rows.sinkTo(topic).uid("metrics-topic-sink").name("metric windows → " + Topics.METRICS);
        windows.late().filter(f -> Dimensions.ALL.equals(f.dimension)).uid("late-facts-once").name("late facts, once each")
                .map(f -> deadLetterJson(new DeadLetterRecord(f.traceId, "metrics: a fact at " + java.time.Instant.ofEpochMilli(f.atMs)
                        + " arrived after its minute's window had closed (allowed lateness " + settings.allowedLateness()
                        + "); the hour's window still counts it if open", null, System.currentTimeMillis())))
                .returns(Types.STRING).uid("late-facts-json").name("late fact → JSON")
                .sinkTo(lateFacts).uid("late-facts-sink").name("late metric facts → " + Topics.DEAD_LETTER);
    }

    /** The assembly; returns its metric facts (accepted chunks, opened and ended traces, dropped duplicates). */
    /** What the assembly hands to the metrics: its facts, and the participants whose data was erased. */
    public record Assembly(DataStream<MetricFact> facts, DataStream<ParticipantErasure> erasures) {
    }

    public static Assembly defineWorkflow(StreamExecutionEnvironment env, Source<TraceRecord, ?, ?> source, Sinks sinks,
                                      JobConfig config) {
        DataStream<TraceRecord> records = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "trace-records")
                .uid("trace-records-source");

        TraceAssembler.Config assembly = new TraceAssembler.Config(
                config.gapTimeout().toMillis(), config.idleTimeout().toMillis(), 1_000, config.redaction());
        SingleOutputStreamOperator<TraceRow> rows = records
                .keyBy(r -> r.traceId == null ? "" : r.traceId, Types.STRING)
                .process(new TraceAssemblyFunction(assembly, config.stateTtl()))
                .uid("trace-assembly")
                .name("trace assembly");

        // Documents are written asynchronously (DocumentWriter.THREADS at once, up to 100 waiting): a writer
        // waits for the trace's last chunk rows to be flushed and for S3, and the assembly never waits for it.
        SingleOutputStreamOperator<TraceRow> finalRows = AsyncDataStream.unorderedWait(
                        rows.getSideOutput(TraceAssemblyFunction.ASSEMBLED),
                        new DocumentWriter(config.documentsBaseUri(),
                                new ErasureList(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword()),
                                new ChunkRows(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword(), 120_000)),
                        5, TimeUnit.MINUTES, 100)
                .uid("document-writer")
                .name("write trace documents")
                .process(new DocumentWriter.Split())
                .uid("document-split")
                .name("final rows and claim checks");

        rows.union(finalRows).sinkTo(sinks.traces()).uid("traces-sink").name("traces → PostgreSQL");
        rows.getSideOutput(TraceAssemblyFunction.CHUNKS)
                .sinkTo(sinks.chunks()).uid("chunks-sink").name("event chunks → PostgreSQL")
                // its own thread: while a batch of chunk rows is written and committed, the assembly goes on
                .disableChaining();
        finalRows.getSideOutput(DocumentWriter.CLAIM_CHECKS)
                .sinkTo(sinks.claimChecks()).uid("claim-check-sink").name("claim checks → " + Topics.TRACES_ASSEMBLED);
        rows.getSideOutput(TraceAssemblyFunction.DEAD_LETTERS)
                .map(TraceAssemblyJob::deadLetterJson).uid("dead-letter-json").name("dead letter → JSON")
                .sinkTo(sinks.deadLetters()).uid("dead-letter-sink").name("dead letters → " + Topics.DEAD_LETTER);
        return new Assembly(rows.getSideOutput(TraceAssemblyFunction.METRIC_FACTS),
                rows.getSideOutput(TraceAssemblyFunction.PARTICIPANT_ERASURES));
    }

    static String deadLetterJson(DeadLetterRecord d) {
        ObjectNode n = StrictJson.mapper().createObjectNode();
        n.put("trace_id", d.traceId);
        n.put("reason", d.reason);
        n.put("at_ms", d.atMs);
        n.put("record", d.recordJson);
        return n.toString();
    }

    /** The QA pipeline (when enabled) in the same job: it reads the claim checks the assembly commits. Returns its results, or null. */
    public static QaWorkflow.Outputs defineQa(StreamExecutionEnvironment env, JobConfig config, QaConfig qa) {
        if (!qa.enabled()) {
            return null;
        }
        KafkaSource<String> claims = KafkaSource.<String>builder()
                .setBootstrapServers(config.kafkaBootstrapServers())
                .setTopics(Topics.TRACES_ASSEMBLED)
                .setGroupId(qa.consumerGroup())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new dev.prtelemetry.flink.qa.ClaimCheckDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
        return QaWorkflow.define(env, claims, new SandboxVerifyFunction(JdbcResultStore.factory(config.jdbcUrl(), config.jdbcUser(),
                        config.jdbcPassword()), qa.artifactsBaseUri(), qa.threads(), qa.testTimeout()),
                JdbcSinks.qaValidations(config), kafkaSink(config, Topics.QA_RESULTS, "trace_id"),
                qa.judges().isEmpty() ? null : new dev.prtelemetry.flink.qa.JudgeFunction(qa, config.jdbcUrl(), config.jdbcUser(),
                        config.jdbcPassword()),
                JdbcSinks.qaJudgements(config), kafkaSink(config, Topics.QA_RESULTS + "-judgements", Topics.QA_RESULTS, "trace_id"), qa);
    }

    public static KafkaSource<TraceRecord> kafkaSource(JobConfig config) {
        return KafkaSource.<TraceRecord>builder()
                .setBootstrapServers(config.kafkaBootstrapServers())
                .setTopics(Topics.TRACE_RECORDS)
                .setGroupId(config.consumerGroup())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new TraceRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "30000")
                .build();
    }

    public static Sinks sinks(JobConfig config) {
        return new Sinks(JdbcSinks.traces(config), JdbcSinks.chunks(config),
                kafkaSink(config, Topics.TRACES_ASSEMBLED, "trace_id"), kafkaSink(config, Topics.DEAD_LETTER, "trace_id"));
    }

    /** Exactly-once JSON records keyed by the given member (transactions commit on checkpoints). */
    static KafkaSink<String> kafkaSink(JobConfig config, String topic, String keyMember) {
        return kafkaSink(config, topic, topic, keyMember);
    }

    /** The metrics windows to {@code prt.metrics}, keyed by window id; a withdrawn window as a tombstone. Exactly-once. */
    static KafkaSink<MetricRow> metricsTopicSink(JobConfig config) {
        return exactlyOnceSink(config, Topics.METRICS, new MetricsTopicSerializer());
    }

    /** As above, with its own transactional-id prefix (two sinks writing one topic need two). */
    static KafkaSink<String> kafkaSink(JobConfig config, String idPrefix, String topic, String keyMember) {
        return exactlyOnceSink(config, idPrefix, new KeyedJsonSerializer(topic, keyMember));
    }

    private static <T> KafkaSink<T> exactlyOnceSink(JobConfig config, String idPrefix,
                                                    org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
        Properties producer = new Properties();
        // well above checkpoint interval + restart time, below the broker's transaction.max.timeout.ms
        producer.setProperty("transaction.timeout.ms", "600000");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.kafkaBootstrapServers())
                .setKafkaProducerConfig(producer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(NAME + "-" + idPrefix)
                // reuse a small pool of transactional ids and find lingering ones through the broker,
                // so a restore does not commit with a producer that startup has already fenced
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setRecordSerializer(serializer)
                .build();
    }
}
