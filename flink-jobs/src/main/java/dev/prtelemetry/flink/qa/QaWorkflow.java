package dev.prtelemetry.flink.qa;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.Topics;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import dev.prtelemetry.flink.metrics.MetricFact;
import dev.prtelemetry.flink.metrics.QaFacts;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;

/**
 * QA part 1 in the pipeline: claim checks from {@code prt.traces-assembled} → sandboxed
 * fail-to-pass verification (async, bounded) → {@code qa_validations} and {@code prt.qa-results}.
 * Reading the topic (not the assembly's output) is what lets a replay of the topic re-verify
 * everything; stored results make that replay cheap.
 */
public final class QaWorkflow {
    private QaWorkflow() {
    }

    public static Outputs define(StreamExecutionEnvironment env, Source<String, ?, ?> claimChecks, SandboxVerifyFunction function,
                              Sink<QaResult> validations, Sink<String> results, QaConfig config) {
        return define(env, claimChecks, function, validations, results, null, null, null, config);
    }

    /**
     * With a judge function: after its verification, every complete trace is judged (QA part 2)
     * → {@code qa_judgements} and {@code prt.qa-results}. Returns both stages' results (the
     * metrics windows count them).
     */
    public static Outputs define(StreamExecutionEnvironment env, Source<String, ?, ?> claimChecks, SandboxVerifyFunction function,
                              Sink<QaResult> validations, Sink<String> results, JudgeFunction judge,
                              Sink<JudgementRow> judgements, Sink<String> judgementResults, QaConfig config) {
        DataStream<String> claims = env.fromSource(claimChecks, WatermarkStrategy.noWatermarks(), "traces-assembled")
                .uid("qa-claim-checks-source");
        SingleOutputStreamOperator<QaResult> verified = AsyncDataStream.unorderedWaitWithRetry(claims, function,
                        config.asyncTimeout().toMillis(), TimeUnit.MILLISECONDS, config.capacity(),
                        new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<QaResult>(3, 10_000)
                                .ifResult(new Waiting()).ifException(new AnyFailure()).build())
                .uid("qa-sandbox-verify").name("sandbox fail-to-pass verification");
        verified.sinkTo(validations).uid("qa-validations-sink").name("qa validations → PostgreSQL");
        verified.map(QaWorkflow::json).returns(Types.STRING).uid("qa-results-json").name("qa result → JSON")
                .sinkTo(results).uid("qa-results-sink").name("qa results → " + Topics.QA_RESULTS);
        if (judge == null) {
            return new Outputs(verified, null);
        }
        SingleOutputStreamOperator<JudgementRow> judged = AsyncDataStream.unorderedWaitWithRetry(verified, judge,
                        config.asyncTimeout().toMillis(), TimeUnit.MILLISECONDS, config.capacity(),
                        new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<JudgementRow>(3, 10_000)
                                .ifException(new AnyFailure()).build())
                .uid("qa-judge").name("rubric judges");
        judged.sinkTo(judgements).uid("qa-judgements-sink").name("qa judgements → PostgreSQL");
        judged.map(QaWorkflow::json).returns(Types.STRING).uid("qa-judgement-json").name("judgement → JSON")
                .sinkTo(judgementResults).uid("qa-judgement-results-sink").name("judgements → " + Topics.QA_RESULTS);
        return new Outputs(verified, judged);
    }

    /** The verifications and (when judges run, else null) the judgements, as written. */
    public record Outputs(DataStream<QaResult> verified, DataStream<JudgementRow> judged) {
        /** What the metrics windows count of them: verdicts and sandbox time, judged scores ({@link QaFacts}). */
        public DataStream<MetricFact> facts() {
            DataStream<MetricFact> facts = verified.map(QaFacts::of).returns(TypeInformation.of(MetricFact.class))
                    .uid("qa-verdict-facts").name("verdict → metric fact");
            if (judged == null) {
                return facts;
            }
            return facts.union(judged.flatMap((JudgementRow r, org.apache.flink.util.Collector<MetricFact> out) -> QaFacts.of(r).forEach(out::collect))
                    .returns(TypeInformation.of(MetricFact.class)).uid("qa-score-facts").name("judgement → metric facts"));
        }
    }

    static String json(JudgementRow r) {
        ObjectNode n = StrictJson.mapper().createObjectNode();
        n.put("kind", "judgement");
        n.put("trace_id", r.traceId);
        n.put("trace_digest", r.traceDigest);
        n.put("rubric", r.rubric);
        n.put("judge", r.judge);
        if (r.overall == null) {
            n.putNull("overall");
        } else {
            n.put("overall", r.overall);
        }
        n.put("error", r.error);
        n.put("created_at_ms", r.createdAtMs);
        n.set("result", StrictJson.parse(r.resultJson));
        return n.toString();
    }

    /** Retry on every failure (the stored-result check makes a retry cheap); serializable, as Flink ships it. */
    static final class AnyFailure implements java.util.function.Predicate<Throwable>, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean test(Throwable t) {
            return true;
        }
    }

    /** Retry while the result says the trace is waiting (no sandbox, a store that did not answer). */
    static final class Waiting implements java.util.function.Predicate<java.util.Collection<QaResult>>, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean test(java.util.Collection<QaResult> results) {
            return results.stream().anyMatch(r -> "waiting".equals(r.verdict));
        }
    }

    static String json(QaResult r) {
        ObjectNode n = StrictJson.mapper().createObjectNode();
        n.put("kind", "verification");
        n.put("trace_id", r.traceId);
        n.put("trace_digest", r.traceDigest);
        n.put("verifier", r.verifier);
        n.put("verdict", r.verdict);
        n.put("resolved", r.resolved);
        n.put("error", r.error);
        n.put("sandbox", r.sandbox);
        n.put("reused", r.reused);
        n.put("created_at_ms", r.createdAtMs);
        n.set("result", StrictJson.parse(r.resultJson));
        return n.toString();
    }
}
