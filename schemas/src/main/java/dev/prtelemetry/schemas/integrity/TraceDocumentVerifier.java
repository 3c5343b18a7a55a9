package dev.prtelemetry.schemas.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Verifies the two forms a trace travels in: an assembled trace document (events plus its
 * {@code integrity} block, which must agree with them) and the chunks a client uploaded.
 */
public final class TraceDocumentVerifier {
    private TraceDocumentVerifier() {
    }

    /** An assembled trace document: its chain, then its integrity block against the chain. */
    public static ChainVerdict verifyDocument(JsonNode document) {
        if (!document.isObject() || !document.path("trace_id").isTextual()) {
            return ChainVerdict.failed(-1, ChainFailure.MALFORMED, "not a trace document: no string 'trace_id'");
        }
        JsonNode events = document.get("events");
        if (events == null || !events.isArray()) {
            return ChainVerdict.failed(-1, ChainFailure.MALFORMED, "not a trace document: no 'events' list");
        }
        List<JsonNode> list = new ArrayList<>(events.size());
        events.forEach(list::add);
        ChainVerdict verdict = TraceVerifier.verify(document.get("trace_id").textValue(), list);
        if (!verdict.intact()) {
            return verdict;
        }
        JsonNode integrity = document.path("integrity");
        if (integrity.isMissingNode() || integrity.isNull()) {
            return verdict;
        }
        JsonNode count = integrity.get("event_count");
        if (count != null && (!count.canConvertToExactIntegral() || count.longValue() != verdict.eventCount())) {
            return ChainVerdict.failed(-1, ChainFailure.BAD_INTEGRITY,
                    "integrity.event_count is " + count + " but the trace has " + verdict.eventCount() + " events");
        }
        String head = integrity.path("chain_head").textValue();
        if (head != null && !head.equals(verdict.head())) {
            return ChainVerdict.failed(-1, ChainFailure.BAD_INTEGRITY,
                    "integrity.chain_head is " + head + " but the chain ends at " + verdict.head());
        }
        String root = integrity.path("merkle_root").textValue();
        if (root != null && !root.equals(verdict.merkleRoot())) {
            return ChainVerdict.failed(-1, ChainFailure.BAD_INTEGRITY,
                    "integrity.merkle_root is " + root + " but the events' Merkle root is " + verdict.merkleRoot());
        }
        return verdict;
    }

    /**
     * Chunks as uploaded ({@code {chunk_id, chunk_seq, events}}), in any order: sorted by
     * chunk_seq, an identical re-upload of a chunk is ignored (as ingestion does), two
     * different chunks with one chunk_seq are a conflict, and the events are verified in order.
     */
    public static ChainVerdict verifyChunks(String traceId, List<JsonNode> chunks) {
        AssembledChunks assembled = assembleChunks(chunks);
        return assembled.problem() != null ? assembled.problem() : TraceVerifier.verify(traceId, assembled.events());
    }

    /** The events of uploaded chunks in delivery order, or why the chunks do not make one sequence. */
    public static AssembledChunks assembleChunks(List<JsonNode> chunks) {
        List<JsonNode> sorted = new ArrayList<>();
        for (JsonNode chunk : chunks) {
            if (!chunk.path("chunk_seq").canConvertToExactIntegral() || !chunk.path("events").isArray()) {
                return AssembledChunks.failed(ChainVerdict.failed(-1, ChainFailure.MALFORMED,
                        "chunk " + chunk.path("chunk_id").asText("?") + " has no integer chunk_seq or no events list"));
            }
            sorted.add(chunk);
        }
        sorted.sort(Comparator.comparingLong(c -> c.get("chunk_seq").longValue()));
        List<JsonNode> events = new ArrayList<>();
        JsonNode previous = null;
        for (JsonNode chunk : sorted) {
            if (previous != null && previous.get("chunk_seq").longValue() == chunk.get("chunk_seq").longValue()) {
                if (Objects.equals(previous, chunk)) {
                    continue; // a retransmission, dropped as ingestion drops it
                }
                return AssembledChunks.failed(ChainVerdict.failed(-1, ChainFailure.DUPLICATE,
                        "two different chunks have chunk_seq " + chunk.get("chunk_seq").longValue()));
            }
            chunk.get("events").forEach(events::add);
            previous = chunk;
        }
        return new AssembledChunks(events, null);
    }

    /** Events in order, or (with no events) the verdict saying why the chunks cannot be ordered. */
    public record AssembledChunks(List<JsonNode> events, ChainVerdict problem) {
        static AssembledChunks failed(ChainVerdict problem) {
            return new AssembledChunks(List.of(), problem);
        }
    }
}
