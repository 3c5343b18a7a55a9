package dev.prtelemetry.flink.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.model.TraceDocument;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds the assembled trace document and the table row from the assembly state. */
public final class TraceDocuments {

    private TraceDocuments() {
    }

    public static TraceRow row(AssemblyState s, long nowMs) {
        TraceRow r = new TraceRow();
        r.traceId = s.traceId;
        r.participantId = s.participantId;
        r.taskId = s.taskId;
        r.status = s.status.wireName();
        r.version = s.version;
        r.eventCount = s.chain.nextSeq;
        r.chunkCount = s.nextChunkSeq;
        r.chainHead = s.chain.head;
        // The root over all events so far costs a pass over every hash: computed once, when the trace ends.
        r.merkleRoot = s.status.isFinal() ? s.chain.merkleRoot() : null;
        r.verdict = verdict(s.status);
        r.reasonsJson = StrictJson.mapper().valueToTree(s.reasons).toString();
        r.metricsJson = s.metrics.toJson().toString();
        r.headerJson = s.headerJson;
        r.duplicatesDropped = s.duplicatesDropped;
        r.createdAtMs = s.firstSeenMs;
        r.updatedAtMs = nowMs;
        return r;
    }

    /**
     * Every member of the trace document (DESIGN.md; schemas' trace.schema.json) but {@code events}, as a JSON
     * object: what the assembly knows without the events, which {@link #assemble} splices in from the chunk rows.
     */
    public static byte[] skeleton(AssemblyState s, long nowMs) {
        JsonNode header = s.headerJson == null ? StrictJson.mapper().createObjectNode() : StrictJson.parseAccepted(s.headerJson);
        JsonNode complete = s.completeJson == null ? StrictJson.mapper().createObjectNode() : StrictJson.parseAccepted(s.completeJson);
        ObjectNode doc = StrictJson.mapper().createObjectNode();
        doc.put("trace_version", TraceDocument.VERSION);
        doc.put("trace_id", s.traceId);

        ObjectNode session = doc.putObject("session");
        session.put("participant_id", header.path("participant_id").asText("unknown"));
        session.put("state", switch (s.status) {
            case COMPLETE -> "completed";
            case REJECTED -> "rejected";
            case ABANDONED -> "expired";
            default -> "open";
        });
        if (header.has("started_at")) {
            session.set("started_at", header.get("started_at")); // the recorder's clock: the session may reach us later
        } else if (header.has("created_at")) {
            session.set("started_at", header.get("created_at"));
        }
        // the receive time of the record that ended the trace (not the clock now): a replay writes the same bytes
        session.put("completed_at", s.endedAtS >= 0 ? s.endedAtS : nowMs / 1000.0);
        if (complete.has("outcome")) {
            session.set("outcome", complete.get("outcome"));
        }
        for (String member : new String[] {"consent", "retain_until", "server_redactions"}) {
            if (header.has(member)) {
                session.set(member, header.get(member));
            }
        }

        ObjectNode task = doc.putObject("task");
        task.put("id", header.path("task_id").asText("unknown"));
        task.put("title", header.path("task_title").asText("unknown"));
        if (header.has("task_description")) {
            task.set("description", header.get("task_description"));
        }
        ObjectNode repo = doc.putObject("repo");
        repo.put("origin", header.path("repo_origin").asText("unknown"));
        repo.put("start_commit", header.path("start_commit").asText("0".repeat(40)));
        if (header.path("start_commit_abbreviated").asBoolean(false)) {
            repo.put("start_commit_abbreviated", true);
        }
        if (header.has("start_snapshot_ref")) {
            repo.set("snapshot_ref", header.get("start_snapshot_ref"));
        }
        if (complete.has("final_patch_ref")) {
            repo.set("final_patch_ref", complete.get("final_patch_ref"));
        }
        if (header.has("environment")) {
            doc.set("environment", header.get("environment"));
        }
        ArrayNode artifacts = doc.putArray("artifacts");
        s.artifacts.forEach(ref -> artifacts.addObject().put("ref", ref));
        doc.set("metrics", s.metrics.toJson());
        doc.putObject("qa");

        ObjectNode integrity = doc.putObject("integrity");
        integrity.put("chain_head", s.chain.head);
        integrity.put("event_count", s.chain.nextSeq);
        integrity.put("merkle_root", s.chain.merkleRoot());
        integrity.put("verdict", verdict(s.status));
        integrity.set("reasons", StrictJson.mapper().valueToTree(s.reasons));
        if (s.chainSource != null) {
            integrity.put("chain", s.chainSource);
        }
        if (s.completeJson != null) {
            integrity.put("completion", s.completeAtLastReceived ? "last_received" : "client");
        }
        return StrictJson.bytes(doc);
    }

    /**
     * The document: {@code {"events":[…], <skeleton's members>}}, the events spliced in as the
     * text their chunk rows hold (each a JSON array), never parsed again.
     */
    public static byte[] assemble(byte[] skeleton, List<byte[]> chunkEventArrays) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                chunkEventArrays.stream().mapToInt(c -> c.length).sum() + skeleton.length + 16);
        out.writeBytes("{\"events\":[".getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        for (byte[] chunk : chunkEventArrays) {
            int from = 0;
            int to = chunk.length;
            while (from < to && chunk[from] != '[') {
                from++;
            }
            while (to > from && chunk[to - 1] != ']') {
                to--;
            }
            if (to - from < 2) {
                throw new IllegalArgumentException("a chunk row's events are not a JSON array");
            }
            if (isEmptyArray(chunk, from + 1, to - 1)) {
                continue;
            }
            if (!first) {
                out.write(',');
            }
            out.write(chunk, from + 1, to - from - 2);
            first = false;
        }
        out.write(']');
        if (skeleton.length > 2) {
            out.write(',');
            out.write(skeleton, 1, skeleton.length - 1); // "members…}"
        } else {
            out.write('}');
        }
        return out.toByteArray();
    }

    private static boolean isEmptyArray(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    static String verdict(TraceStatus status) {
        return switch (status) {
            case COMPLETE -> "verified";
            case REJECTED, ABANDONED -> "rejected";
            default -> "pending";
        };
    }
}
