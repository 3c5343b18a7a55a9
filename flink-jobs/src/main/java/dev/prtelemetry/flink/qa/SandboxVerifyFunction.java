package dev.prtelemetry.flink.qa;

import dev.prtelemetry.qa.grading.FailToPass;
import dev.prtelemetry.qa.sandbox.Limits;
import dev.prtelemetry.qa.sandbox.Sandboxes;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * The async operator around {@link ClaimCheckVerifier}: sandbox work runs on a bounded
 * executor of its own (never on Flink's threads); the operator's capacity bounds how many
 * traces are in flight. Trouble (no sandbox, a store or object store that does not answer, a
 * timeout) gives a "waiting" result, which the retry strategy retries and which is stored
 * only until a verdict replaces it — QA never fails the job it shares with the assembly.
 * After recovery a re-triggered trace finds its stored result instead of running the sandbox again.
 */
public class SandboxVerifyFunction extends RichAsyncFunction<String, QaResult> {
    private static final long serialVersionUID = 1L;

    private final ResultStore.Factory storeFactory;
    private final String artifactsBase;
    private final int threads;
    private final Duration testTimeout;

    private transient ThreadPoolExecutor executor;
    private transient ResultStore store;
    private transient ClaimCheckVerifier verifier;

    public SandboxVerifyFunction(ResultStore.Factory storeFactory, String artifactsBase, int threads, Duration testTimeout) {
        this.storeFactory = storeFactory;
        this.artifactsBase = artifactsBase;
        this.threads = threads;
        this.testTimeout = testTimeout;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024),
                r -> {
                    Thread t = new Thread(r, "prt-qa-sandbox");
                    t.setDaemon(true);
                    return t;
                });
        store = storeFactory.open();
        verifier = new ClaimCheckVerifier(store, SandboxVerifyFunction::read, artifactsBase, Sandboxes.pick(),
                new FailToPass.Options(3, Limits.defaults().withWallTimeout(testTimeout), java.util.Set.of()));
    }

    /** A stored document's bytes; {@link java.io.FileNotFoundException} when it is gone (erased, or its retention ended). */
    public static byte[] read(String uri) throws java.io.IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem();
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        } catch (java.io.IOException | RuntimeException e) {
            // the S3 plugin reports a missing key in its own way; ask only when the read failed
            if (!fs.exists(p)) {
                throw new java.io.FileNotFoundException(uri + " does not exist (erased, or its retention ended)");
            }
            throw e;
        }
    }

    @Override
    public void asyncInvoke(String claim, ResultFuture<QaResult> result) {
        CompletableFuture.supplyAsync(() -> {
            try {
                return verifier.verify(claim);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, executor).whenComplete((r, error) -> {
            if (error != null) {
                // QA trouble never fails the job (the assembly shares it): the trace waits and is retried
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                QaResult w = ClaimCheckVerifier.waiting(claim, "verification failed: " + cause + "; it is retried, and replays retry it");
                result.complete(List.of(w.withClaim(claim)));
            } else {
                r.ifPresent(x -> x.withClaim(claim));
                result.complete(r.map(List::of).orElse(List.of()));
            }
        });
    }

    @Override
    public void timeout(String claim, ResultFuture<QaResult> result) {
        QaResult w = ClaimCheckVerifier.waiting(claim, "verification did not finish in time").withClaim(claim);
        result.complete(List.of(w));
    }

    @Override
    public void close() throws Exception {
        if (executor != null) {
            executor.shutdownNow();
        }
        if (store != null) {
            store.close();
        }
    }
}
