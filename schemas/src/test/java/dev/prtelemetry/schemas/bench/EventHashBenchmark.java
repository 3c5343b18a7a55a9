package dev.prtelemetry.schemas.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.EventHasher;
import dev.prtelemetry.schemas.integrity.MerkleTree;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.integrity.TraceVerifier;
import dev.prtelemetry.schemas.json.EcmaNumbers;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.util.ArrayList;
import java.util.List;
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
 * The per-event costs every ingested event pays: canonicalize + SHA-256 (the chain), the
 * schema check (the gateway), and the number formatting inside canonicalization.
 * Run: see schemas/README.md, "Benchmarks".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventHashBenchmark {
    private JsonNode cmdRun;
    private JsonNode fileEdit;
    private JsonNode chunk;
    private List<JsonNode> trace1000;
    private List<byte[]> leaves1000;

    @Setup
    public void setUp() {
        List<JsonNode> events = TraceFixtures.chainedEvents(TraceFixtures.TRACE_ID);
        cmdRun = events.get(1);   // ~600 bytes, fractional timestamps
        fileEdit = events.get(4); // ~700 bytes, a diff
        ObjectNode c = StrictJson.mapper().createObjectNode().put("chunk_id", "c0").put("chunk_seq", 0);
        c.putArray("events").addAll(events);
        chunk = c;
        trace1000 = new ArrayList<>();
        var chain = new dev.prtelemetry.schemas.integrity.HashChain(TraceFixtures.TRACE_ID);
        List<ObjectNode> raw = TraceFixtures.unchainedEvents();
        for (int i = 0; i < 1000; i++) {
            ObjectNode e = raw.get(i % raw.size()).deepCopy();
            e.put("id", "ev-" + i);
            if (e.path("payload").has("refs")) {
                ((ObjectNode) e.get("payload")).putArray("refs");
            }
            trace1000.add(chain.append(e));
        }
        leaves1000 = MerkleTree.leavesFromEventHashes(trace1000.stream().map(e -> e.get("hash").textValue()).toList());
    }

    @Benchmark
    public String hashCmdRunEvent() {
        return EventHasher.hash(cmdRun);
    }

    @Benchmark
    public String hashFileEditEvent() {
        return EventHasher.hash(fileEdit);
    }

    @Benchmark
    public String formatFractionalTimestamp() {
        return EcmaNumbers.format(1764000004.123456);
    }

    @Benchmark
    public int validateNineEventChunk() {
        return TraceSchemas.get().validate(SchemaName.CHUNK, chunk).size();
    }

    @Benchmark
    public boolean verifyThousandEventTrace() {
        return TraceVerifier.verify(TraceFixtures.TRACE_ID, trace1000).intact();
    }

    @Benchmark
    public byte[] merkleRootOfThousandEvents() {
        return MerkleTree.root(leaves1000);
    }
}
