package dev.prtelemetry.schemas.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.EventHasher;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.redaction.RedactionSelfTest;
import dev.prtelemetry.schemas.redaction.Redactor;
import dev.prtelemetry.schemas.redaction.ServerRedaction;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the assembly's server-side redaction costs per event, next to the hash it already takes:
 * a clean event (the common case: the recorder redacted already) with the default rules and with
 * the optional e-mail/IP rules, and an event that does hold a secret. Run: schemas/README.md, "Benchmarks".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RedactionBenchmark {
    private ObjectNode cleanCmdRun;
    private ObjectNode cleanFileEdit;
    private ObjectNode leakyCmdRun;
    private Redactor defaults;
    private Redactor withOptional;

    @Setup
    public void setUp() {
        var events = TraceFixtures.chainedEvents(TraceFixtures.TRACE_ID);
        cleanCmdRun = (ObjectNode) events.get(1);
        cleanFileEdit = (ObjectNode) events.get(4);
        leakyCmdRun = RedactionSelfTest.seededEvents().get(1);
        byte[] key = "bench".getBytes(StandardCharsets.UTF_8);
        defaults = Redactor.defaults(key);
        withOptional = Redactor.defaults(key, Set.copyOf(Redactor.optionalRules()));
    }

    @Benchmark
    public boolean redactCleanCmdRun() {
        return ServerRedaction.redactEvent(defaults, cleanCmdRun.deepCopy());
    }

    @Benchmark
    public boolean redactCleanFileEdit() {
        return ServerRedaction.redactEvent(defaults, cleanFileEdit.deepCopy());
    }

    @Benchmark
    public boolean redactCleanCmdRunWithOptionalRules() {
        return ServerRedaction.redactEvent(withOptional, cleanCmdRun.deepCopy());
    }

    @Benchmark
    public boolean redactLeakyCmdRun() {
        return ServerRedaction.redactEvent(defaults, leakyCmdRun.deepCopy());
    }

    @Benchmark
    public ObjectNode copyOnly() {
        return cleanCmdRun.deepCopy(); // the copy each benchmark above makes, to subtract
    }

    @Benchmark
    public String hashCmdRunForComparison() {
        return EventHasher.hash(cleanCmdRun);
    }
}
