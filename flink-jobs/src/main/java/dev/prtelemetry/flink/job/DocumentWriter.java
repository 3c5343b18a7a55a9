package dev.prtelemetry.flink.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.flink.assembly.AssembledTrace;
import dev.prtelemetry.flink.assembly.TraceDocuments;
import dev.prtelemetry.flink.assembly.TraceRow;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.ClaimCheck;
import dev.prtelemetry.schemas.stream.DocumentLocation;
import java.io.OutputStream;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Builds each finished trace's document from its skeleton and its chunk rows, writes it to
 * {@link DocumentLocation} ({@code <base>/traces/dt=YYYY-MM-DD/<trace_id>.json}) through Flink's
 * filesystem layer (S3 through the presto plugin, or a local folder), then emits the trace's
 * final row (with the document's URI) and its {@link ClaimCheck} for {@code prt.traces-assembled}.
 * The path is a function of the trace, so a retry after a restart overwrites the same object
 * with the same bytes.
 */
public class DocumentWriter extends RichAsyncFunction<AssembledTrace, DocumentWriter.Written> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<String> CLAIM_CHECKS = new OutputTag<>("claim-checks", Types.STRING);

    /** A written document: the trace's final row and its claim check (both null when the trace was erased). */
    public static class Written {
        public TraceRow row;
        public String claimJson;

        public Written() {
        }

        Written(TraceRow row, String claimJson) {
            this.row = row;
            this.claimJson = claimJson;
        }
    }

    /** Splits written documents into final rows (main output) and claim checks ({@link #CLAIM_CHECKS}). */
    public static class Split extends ProcessFunction<Written, TraceRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(Written w, Context ctx, Collector<TraceRow> out) {
            if (w.row != null) {
                out.collect(w.row);
                ctx.output(CLAIM_CHECKS, w.claimJson);
            }
        }
    }

    /** Where a finished trace's events are: its chunk rows. */
    public interface ChunkSource extends Serializable {
        /** Whether the trace was erased meanwhile (then there is nothing to write). */
        @FunctionalInterface
        interface Gone {
            boolean check() throws Exception;
        }

        /** The events arrays of chunks 0..chunkCount-1, in order; null if {@code gone} says the trace went. */
        List<byte[]> events(String traceId, long chunkCount, Gone gone) throws Exception;
    }

    /** Documents written at once, each on a thread of its own: a writer waits for chunk rows and for S3, never the assembly. */
    public static final int THREADS = 4;

    private final String baseUri;
    private final ErasureList erasedPrototype;
    private final ChunkSource chunksPrototype;
    private transient ExecutorService pool;
    private transient ThreadLocal<ErasureList> erased;
    private transient ThreadLocal<ChunkSource> chunks;
    private transient List<AutoCloseable> opened;

    /**
     * With {@code erased} (may be null: no check), erased and expired traces get no document. Each
     * writer thread gets its own copy of {@code erased} and {@code chunks} (their connections are not shared).
     */
    public DocumentWriter(String baseUri, ErasureList erased, ChunkSource chunks) {
        this.baseUri = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
        this.erasedPrototype = erased;
        this.chunksPrototype = chunks;
    }

    @Override
    public void open(OpenContext openContext) {
        opened = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        erased = ThreadLocal.withInitial(() -> {
            ErasureList e = erasedPrototype == null ? null : copy(erasedPrototype);
            if (e != null) {
                opened.add(e);
            }
            return e;
        });
        chunks = ThreadLocal.withInitial(() -> {
            ChunkSource c = copy(chunksPrototype);
            if (c instanceof AutoCloseable a) {
                opened.add(a);
            }
            return c;
        });
        pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "prt-document-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** A copy with connections of its own (the fields are settings; connections are transient). */
    private static <T extends java.io.Serializable> T copy(T prototype) {
        try {
            return org.apache.flink.util.InstantiationUtil.clone(prototype);
        } catch (java.io.IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot copy " + prototype, e);
        }
    }

    @Override
    public void close() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (opened != null) {
            for (AutoCloseable c : opened) {
                c.close();
            }
        }
    }

    @Override
    public void asyncInvoke(AssembledTrace trace, ResultFuture<Written> result) {
        pool.execute(() -> {
            try {
                result.complete(List.of(write(trace)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
    }

    private boolean erased(String traceId) throws Exception {
        ErasureList e = erased.get();
        return e != null && e.contains(traceId);
    }

    /** Builds and writes one document; the final row and claim check, or an empty {@link Written} if the trace went. */
    Written write(AssembledTrace trace) throws Exception {
        if (erased(trace.traceId)) {
            return new Written(); // erased while it was assembled, or a replay of an erased trace: nothing is written
        }
        List<byte[]> events = chunks.get().events(trace.traceId, trace.chunkCount, () -> erased(trace.traceId));
        if (events == null) {
            return new Written();
        }
        byte[] bytes = TraceDocuments.assemble(trace.skeleton, events);
        Instant created = trace.createdAtS >= 0 ? Instant.ofEpochMilli(Math.round(trace.createdAtS * 1000))
                : Instant.ofEpochMilli(trace.row.createdAtMs);
        Path path = new Path(DocumentLocation.of(baseUri, trace.traceId, created));
        FileSystem fs = path.getFileSystem();
        try (OutputStream os = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
            BulkWrites.writeAll(os, bytes);
        }
        if (erased(trace.traceId)) {
            // erased while the document was being written: the erasure may have looked before it existed
            fs.delete(path, false);
            return new Written();
        }
        TraceRow row = trace.row;
        row.documentUri = path.toString();
        row.skeletonJson = new String(trace.skeleton, java.nio.charset.StandardCharsets.UTF_8);

        JsonNode header = row.headerJson == null ? null : StrictJson.parseAccepted(row.headerJson);
        JsonNode retain = header == null ? null : header.get("retain_until");
        ClaimCheck claim = new ClaimCheck(trace.traceId, row.status, row.documentUri, Sha256.hex(Sha256.digest(bytes)),
                bytes.length, row.eventCount, row.chainHead, row.merkleRoot, row.verdict, row.reasonsJson, row.metricsJson,
                header == null ? null : header.get("consent"), retain != null && retain.isNumber() ? retain.doubleValue() : null,
                header == null ? null : header.path("start_snapshot_ref").textValue(),
                finalPatchRef(trace.skeleton), true, new ClaimCheck.Subject(row.participantId, row.taskId,
                header == null ? null : header.path("repo_origin").textValue()));
        return new Written(row, claim.toJson().toString());
    }

    private static String finalPatchRef(byte[] skeleton) {
        return StrictJson.parseAccepted(skeleton).path("repo").path("final_patch_ref").textValue();
    }
}
