package dev.prtelemetry.flink.qa;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.flink.job.JdbcSinks;
import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.qa.judging.Judge;
import dev.prtelemetry.qa.judging.Judges;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import dev.prtelemetry.schemas.stream.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

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
        env.fromSource(replay, WatermarkStrategy.noWatermarks(), "traces-assembled replay").uid("rescore-source")
                // one claim per trace content, however often it was replayed onto the topic
                .keyBy(RescoreJob::digest, Types.STRING).reduce((a, b) -> a).uid("rescore-dedupe").name("one per digest")
                .flatMap(new Judging(config, judges, rubrics)).returns(JudgementRow.class).uid("rescore-judge").name("judge")
                .sinkTo(JdbcSinks.qaJudgements(config)).uid("rescore-sink").name("qa judgements → PostgreSQL");
    }

    static String digest(String claim) {
        JsonNode n = StrictJson.parse(claim);
        return n.path("document_sha256").asText(n.path("trace_id").asText());
    }

    /** The judging step: {@link TraceJudging} with the stored keys from PostgreSQL. */
    static final class Judging extends RichFlatMapFunction<String, JudgementRow> {
        private static final long serialVersionUID = 1L;
        private final JobConfig config;
        private final List<String> judgeNames;
        private final List<String> rubricNames;
        private transient JdbcJudgementKeys stored;
        private transient TraceJudging judging;

        Judging(JobConfig config, List<String> judges, List<String> rubrics) {
            this.config = config;
            this.judgeNames = List.copyOf(judges);
            this.rubricNames = List.copyOf(rubrics);
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            stored = new JdbcJudgementKeys(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
            List<Judge> judges = new ArrayList<>();
            for (String j : judgeNames) {
                judges.add(Judges.create(j, null, null, "OPENAI_API_KEY", System.getenv()));
            }
            judging = new TraceJudging(judges, rubricNames.stream().map(Rubric::load).toList(), stored,
                    SandboxVerifyFunction::read);
        }

        @Override
        public void flatMap(String claim, Collector<JudgementRow> out) throws Exception {
            for (JudgementRow r : judging.judge(claim)) {
                out.collect(r);
            }
        }

        @Override
        public void close() throws Exception {
            if (stored != null) {
                stored.close();
            }
        }
    }
}
