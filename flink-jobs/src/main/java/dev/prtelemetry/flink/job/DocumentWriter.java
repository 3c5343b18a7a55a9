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
import org.apache.flink.api.common.typeinfo.Types;
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
public class DocumentWriter extends ProcessFunction<AssembledTrace, TraceRow> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<String> CLAIM_CHECKS = new OutputTag<>("claim-checks", Types.STRING);

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

    private final String baseUri;
    private final ErasureList erased;
    private final ChunkSource chunks;

    /** With {@code erased} (may be null: no check), erased and expired traces get no document. */
    public DocumentWriter(String baseUri, ErasureList erased, ChunkSource chunks) {
        this.baseUri = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
        this.erased = erased;
        this.chunks = chunks;
    }

    @Override
    public void close() throws Exception {
        if (erased != null) {
            erased.close();
        }
        if (chunks instanceof AutoCloseable c) {
            c.close();
        }
    }

    private boolean erased(String traceId) throws Exception {
        return erased != null && erased.contains(traceId);
    }

    @Override
    public void processElement(AssembledTrace trace, Context ctx, Collector<TraceRow> out) throws Exception {
        if (erased(trace.traceId)) {
            return; // erased while it was assembled, or a replay of an erased trace: nothing is written
        }
        List<byte[]> events = chunks.events(trace.traceId, trace.chunkCount, () -> erased(trace.traceId));
        if (events == null) {
            return;
        }
        byte[] bytes = TraceDocuments.assemble(trace.skeleton, events);
        Instant created = trace.createdAtS >= 0 ? Instant.ofEpochMilli(Math.round(trace.createdAtS * 1000))
                : Instant.ofEpochMilli(trace.row.createdAtMs);
        Path path = new Path(DocumentLocation.of(baseUri, trace.traceId, created));
        FileSystem fs = path.getFileSystem();
        try (OutputStream os = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
            os.write(bytes);
        }
        if (erased(trace.traceId)) {
            // erased while the document was being written: the erasure may have looked before it existed
            fs.delete(path, false);
            return;
        }
        TraceRow row = trace.row;
        row.documentUri = path.toString();
        out.collect(row);

        JsonNode header = row.headerJson == null ? null : StrictJson.parseAccepted(row.headerJson);
        JsonNode retain = header == null ? null : header.get("retain_until");
        ClaimCheck claim = new ClaimCheck(trace.traceId, row.status, row.documentUri, Sha256.hex(Sha256.digest(bytes)),
                bytes.length, row.eventCount, row.chainHead, row.merkleRoot, row.verdict, row.reasonsJson, row.metricsJson,
                header == null ? null : header.get("consent"), retain != null && retain.isNumber() ? retain.doubleValue() : null,
                header == null ? null : header.path("start_snapshot_ref").textValue(),
                finalPatchRef(trace.skeleton));
        ctx.output(CLAIM_CHECKS, claim.toJson().toString());
    }

    private static String finalPatchRef(byte[] skeleton) {
        return StrictJson.parseAccepted(skeleton).path("repo").path("final_patch_ref").textValue();
    }
}
