package dev.prtelemetry.qa.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.qa.judging.HeuristicJudge;
import dev.prtelemetry.qa.judging.Judgement;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Heuristic-judge throughput on the recorded examples (parsed documents in, judgements out). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HeuristicJudgeBenchmark {
    @Param({"dates-leap-day", "cart-discount", "auth-token-expiry"})
    public String example;

    JsonNode trace;
    final HeuristicJudge judge = new HeuristicJudge();
    final Rubric rubric = Rubric.load("debugging@1");

    @Setup
    public void load() throws Exception {
        trace = StrictJson.parse(Files.readAllBytes(Path.of("examples", example, "trace.json")));
    }

    @Benchmark
    public Judgement judge() {
        return judge.judge(trace, rubric);
    }

    /** Parsing the document too, as a consumer of the assembled-traces topic does. */
    @Benchmark
    public Judgement parseAndJudge() throws Exception {
        return judge.judge(StrictJson.parse(Files.readAllBytes(Path.of("examples", example, "trace.json"))), rubric);
    }
}
