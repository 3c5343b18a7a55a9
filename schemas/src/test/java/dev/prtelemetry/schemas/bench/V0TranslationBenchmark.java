package dev.prtelemetry.schemas.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.ChainRules;
import dev.prtelemetry.schemas.integrity.ChainState;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.v0.V0Events;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * What a format v0 chunk costs the assembly beside a v1 chunk of the same events: v1 = the chain rules over
 * client-hashed events; v0 = finding each event's original bytes, translating, hashing and chaining it, then the
 * same chain rules (which re-translate to check). The five events of {@code v0-chunk/valid/every-type.json}, as
 * v0 and as their v1 translations chained by a client. Run: see schemas/README.md, "Benchmarks".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class V0TranslationBenchmark {
    private static final String TRACE = "trace-bench";
    private byte[] v0Record;
    private List<JsonNode> v1Events;
    private List<JsonNode> v0Translated;

    @Setup
    public void setUp() {
        JsonNode chunk;
        try (InputStream in = getClass().getResourceAsStream("/schema-examples/v0-chunk/valid/every-type.json")) {
            chunk = StrictJson.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode renumbered = chunk.deepCopy();
        for (int i = 0; i < renumbered.get("events").size(); i++) {
            ((ObjectNode) renumbered.get("events").get(i)).put("seq", i);
        }
        v0Record = ("{\"kind\":\"chunk\",\"chunk\":" + renumbered + "}").getBytes(StandardCharsets.UTF_8);
        v0Translated = new ArrayList<>();
        String head = dev.prtelemetry.schemas.integrity.EventHasher.genesis(TRACE);
        for (String text : V0Events.elementTexts(v0Record, "chunk", "events")) {
            ObjectNode e = V0Events.translateAndChain(text, head);
            head = e.get("hash").asText();
            v0Translated.add(e);
        }
        HashChain client = new HashChain(TRACE);
        v1Events = new ArrayList<>();
        for (JsonNode e : renumbered.get("events")) {
            ObjectNode t = V0Events.translate(e.toString());
            t.remove(V0Events.MEMBER);
            v1Events.add(client.append(t));
        }
    }

    /** Five client-chained v1 events through the chain rules (what a v1 chunk costs the assembly's chain check). */
    @Benchmark
    public String v1ChunkOfFive() {
        ChainState s = ChainState.start(TRACE);
        for (JsonNode e : v1Events) {
            if (ChainRules.accept(s, e, List.of(), null) != null) {
                throw new IllegalStateException("v1 chain broke");
            }
        }
        return s.head;
    }

    /** The same five events sent as v0, as the assembly takes them: original bytes located, translated, hashed, chained, chain rules. */
    @Benchmark
    public String v0ChunkOfFive() {
        ChainState s = ChainState.start(TRACE);
        for (String text : V0Events.elementTexts(v0Record, "chunk", "events")) {
            ObjectNode e = V0Events.translateAndChain(text, s.head);
            if (ChainRules.accept(s, e, List.of(), null, false) != null) {
                throw new IllegalStateException("v0 chain broke");
            }
        }
        return s.head;
    }

    /** The five translated events as a verifier of a stored document takes them: the chain rules re-translating each. */
    @Benchmark
    public String v0VerifyFive() {
        ChainState s = ChainState.start(TRACE);
        for (JsonNode e : v0Translated) {
            if (ChainRules.accept(s, e, List.of(), null) != null) {
                throw new IllegalStateException("v0 chain broke");
            }
        }
        return s.head;
    }
}
