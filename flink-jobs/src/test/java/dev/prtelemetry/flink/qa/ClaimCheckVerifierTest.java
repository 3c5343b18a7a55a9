package dev.prtelemetry.flink.qa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.qa.grading.FailToPass;
import dev.prtelemetry.qa.sandbox.Limits;
import dev.prtelemetry.qa.sandbox.NamespaceSandbox;
import dev.prtelemetry.qa.sandbox.Sandbox;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The QA operator's work on a real example (real sandbox runs): a claim check is verified
 * once; the same claim again — as after a restart that re-triggers in-flight elements — finds
 * the stored result and the sandbox does not run.
 */
class ClaimCheckVerifierTest {
    static final Path EXAMPLE = Path.of("../examples/dates-leap-day").toAbsolutePath().normalize();

    /** Counts runs of the real sandbox. */
    static final class Counting implements Sandbox {
        final Sandbox real;
        final AtomicInteger runs = new AtomicInteger();

        Counting(Sandbox real) {
            this.real = real;
        }

        @Override
        public String kind() {
            return real.kind();
        }

        @Override
        public String tool() {
            return real.tool();
        }

        @Override
        public Result run(Path w, List<String> c, Map<String, String> e, Limits l, Path o, List<Mount> ro) throws java.io.IOException, InterruptedException {
            runs.incrementAndGet();
            return real.run(w, c, e, l, o, ro);
        }
    }

    /** What qa_validations does for the operator: keeps results by (trace, digest, verifier). */
    static final class MapStore implements ResultStore {
        final Map<String, QaResult> rows = new HashMap<>();

        @Override
        public Optional<QaResult> find(String traceId, String digest, String verifier) {
            // as the JDBC store does: a fresh object read from the row, marked as reused
            return Optional.ofNullable(rows.get(traceId + digest + verifier)).filter(r -> !"waiting".equals(r.verdict)).map(r -> {
                QaResult copy = new QaResult();
                copy.traceId = r.traceId;
                copy.traceDigest = r.traceDigest;
                copy.verifier = r.verifier;
                copy.verdict = r.verdict;
                copy.resolved = r.resolved;
                copy.sandbox = r.sandbox;
                copy.resultJson = r.resultJson;
                copy.reused = true;
                return copy;
            });
        }

        void save(QaResult r) {
            rows.put(r.traceId + r.traceDigest + r.verifier, r);
        }
    }

    @Test
    void verifiesACompleteTraceOnceAndReusesTheStoredResult() throws Exception {
        NamespaceSandbox real = NamespaceSandbox.detect();
        assumeTrue(real != null, "no namespace sandbox is usable here");
        byte[] doc = Files.readAllBytes(EXAMPLE.resolve("trace.json"));
        JsonNode d = StrictJson.parse(doc);
        String snapshot = d.at("/repo/snapshot_ref").asText().substring("artifact://sha256/".length());
        Map<String, Path> objects = Map.of("s3://prt/traces/x.json", EXAMPLE.resolve("trace.json"),
                "s3://prt/artifacts/sha256/" + snapshot, EXAMPLE.resolve("trace/start.bundle"));
        ClaimCheckVerifier.Blobs blobs = uri -> {
            Path p = objects.get(uri);
            if (p == null) {
                throw new NoSuchFileException(uri);
            }
            return Files.readAllBytes(p);
        };
        Counting sandbox = new Counting(real);
        MapStore store = new MapStore();
        ClaimCheckVerifier verifier = new ClaimCheckVerifier(store, blobs, "s3://prt", sandbox, FailToPass.Options.defaults());
        String claim = StrictJson.mapper().createObjectNode().put("trace_id", d.get("trace_id").asText()).put("state", "complete")
                .put("document_uri", "s3://prt/traces/x.json").put("document_sha256", Sha256.hex(Sha256.digest(doc))).toString();

        QaResult first = verifier.verify(claim).orElseThrow();
        assertThat(first.verdict).as(first.resultJson).isEqualTo("resolved");
        assertThat(first.sandbox).startsWith("namespace (");
        assertThat(StrictJson.parse(first.resultJson).get("tests")).hasSize(5);
        int runs = sandbox.runs.get();
        assertThat(runs).isEqualTo(4); // the failing before state 3 times, the clean after state once
        store.save(first);

        QaResult again = verifier.verify(claim).orElseThrow();
        assertThat(again.reused).isTrue();
        assertThat(first.reused).isFalse();
        assertThat(again.resultJson).isEqualTo(first.resultJson);
        assertThat(again.verdict).isEqualTo("resolved");
        assertThat(sandbox.runs.get()).isEqualTo(runs); // the sandbox did not run again

        String rejected = StrictJson.mapper().createObjectNode().put("trace_id", "t").put("state", "rejected")
                .put("document_uri", "s3://prt/traces/x.json").put("document_sha256", "00").toString();
        assertThat(verifier.verify(rejected)).isEmpty();
    }

    @Test
    void withoutASandboxTheTraceWaitsAndIsNeverRunUnsandboxed() throws Exception {
        MapStore store = new MapStore();
        ClaimCheckVerifier verifier = new ClaimCheckVerifier(store, uri -> {
            throw new AssertionError("nothing is read without a sandbox");
        }, "s3://prt", null, FailToPass.Options.defaults());
        String claim = StrictJson.mapper().createObjectNode().put("trace_id", "t1").put("state", "complete")
                .put("document_uri", "s3://prt/traces/t1.json").put("document_sha256", "ab").toString();
        QaResult r = verifier.verify(claim).orElseThrow();
        assertThat(r.verdict).isEqualTo("waiting");
        assertThat(r.error).contains("no sandbox");
        store.save(r);
        assertThat(store.find("t1", "ab", ClaimCheckVerifier.VERIFIER)).isEmpty(); // a waiting row is not a result
    }
}
