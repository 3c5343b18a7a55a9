package dev.prtelemetry.flink.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.assembly.AssembledTrace;
import dev.prtelemetry.flink.assembly.TraceRow;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Writes each finished trace's document to {@code <base>/traces/dt=YYYY-MM-DD/<trace_id>.json}
 * through Flink's filesystem layer (S3 through the presto plugin, or a local folder), then
 * emits the trace's final row (with the document's URI) and the claim-check record for
 * {@code prt.traces-assembled}. The path is a function of the trace, so a retry after a
 * restart overwrites the same object with the same bytes.
 */
public class DocumentWriter extends ProcessFunction<AssembledTrace, TraceRow> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<String> CLAIM_CHECKS = new OutputTag<>("claim-checks", Types.STRING);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final String baseUri;
    private final ErasureList erased;

    public DocumentWriter(String baseUri) {
        this(baseUri, null);
    }

    /** With {@code erased} (may be null: no check), erased and expired traces get no document. */
    public DocumentWriter(String baseUri, ErasureList erased) {
        this.baseUri = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
        this.erased = erased;
    }

    @Override
    public void close() throws Exception {
        if (erased != null) {
            erased.close();
        }
    }

    @Override
    public void processElement(AssembledTrace trace, Context ctx, Collector<TraceRow> out) throws Exception {
        if (erased != null && erased.contains(trace.traceId)) {
            return; // erased while it was assembled, or a replay of an erased trace: nothing is written
        }
        byte[] bytes = trace.documentJson;
        String day = DAY.format(Instant.ofEpochMilli(trace.row.createdAtMs));
        Path path = new Path(baseUri + "/traces/dt=" + day + "/" + trace.traceId + ".json");
        FileSystem fs = path.getFileSystem();
        try (OutputStream os = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
            os.write(bytes);
        }
        if (erased != null && erased.contains(trace.traceId)) {
            // erased while the document was being written: the erasure may have looked before it existed
            fs.delete(path, false);
            return;
        }
        TraceRow row = trace.row;
        row.documentUri = path.toString();
        out.collect(row);

        ObjectNode claim = StrictJson.mapper().createObjectNode();
        claim.put("trace_id", trace.traceId);
        claim.put("state", row.status);
        claim.put("document_uri", row.documentUri);
        claim.put("document_sha256", Sha256.hex(Sha256.digest(bytes)));
        claim.put("document_bytes", bytes.length);
        claim.put("event_count", row.eventCount);
        claim.put("chain_head", row.chainHead);
        claim.put("merkle_root", row.merkleRoot);
        claim.put("verdict", row.verdict);
        claim.set("reasons", StrictJson.parse(row.reasonsJson));
        claim.set("metrics", StrictJson.parse(row.metricsJson));
        if (row.headerJson != null) {
            // consent and retention travel with the trace to every consumer of the topic
            com.fasterxml.jackson.databind.JsonNode header = StrictJson.parse(row.headerJson);
            if (header.has("consent")) {
                claim.set("consent", header.get("consent"));
            }
            if (header.has("retain_until")) {
                claim.set("retain_until", header.get("retain_until"));
            }
        }
        ctx.output(CLAIM_CHECKS, claim.toString());
    }
}
