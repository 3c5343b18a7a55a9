package dev.prtelemetry.flink.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.model.TraceDocument;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the assembled trace document and the table row from the assembly state. */
public final class TraceDocuments {
    private static final Pattern ARTIFACT = Pattern.compile("artifact://sha256/[0-9a-f]{64}");

    private TraceDocuments() {
    }

    public static TraceRow row(AssemblyState s, long nowMs) {
        JsonNode header = s.headerJson == null ? StrictJson.mapper().createObjectNode() : StrictJson.parse(s.headerJson);
        TraceRow r = new TraceRow();
        r.traceId = s.traceId;
        r.participantId = header.path("participant_id").textValue();
        r.taskId = header.path("task_id").textValue();
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

    /** The trace document of DESIGN.md (schemas' trace.schema.json) as JSON text, from state and the accepted events. */
    public static byte[] document(AssemblyState s, List<byte[]> chunkEventArrays, long nowMs) {
        JsonNode header = s.headerJson == null ? StrictJson.mapper().createObjectNode() : StrictJson.parse(s.headerJson);
        JsonNode complete = s.completeJson == null ? StrictJson.mapper().createObjectNode() : StrictJson.parse(s.completeJson);
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
        session.put("completed_at", nowMs / 1000.0);
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
        if (header.has("start_snapshot_ref")) {
            repo.set("snapshot_ref", header.get("start_snapshot_ref"));
        }
        if (complete.has("final_patch_ref")) {
            repo.set("final_patch_ref", complete.get("final_patch_ref"));
        }
        if (header.has("environment")) {
            doc.set("environment", header.get("environment"));
        }

        // Events are spliced in as the text they were stored as (one JSON array per chunk), not
        // parsed again: at completion the whole trace would otherwise be parsed a second time.
        // Each chunk is a compact array "[…]" as StrictJson.bytes wrote it.
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                chunkEventArrays.stream().mapToInt(c -> c.length).sum() + 4096);
        out.writeBytes("{\"events\":[".getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        TreeSet<String> refs = new TreeSet<>();
        for (byte[] chunk : chunkEventArrays) {
            if (chunk.length <= 2) {
                continue; // []
            }
            if (!first) {
                out.write(',');
            }
            out.write(chunk, 1, chunk.length - 2);
            first = false;
            // artifact refs are ASCII: a Latin-1 view of the UTF-8 bytes finds them without decoding
            Matcher m = ARTIFACT.matcher(new String(chunk, StandardCharsets.ISO_8859_1));
            while (m.find()) {
                refs.add(m.group());
            }
        }
        ArrayNode artifacts = doc.putArray("artifacts");
        refs.forEach(ref -> artifacts.addObject().put("ref", ref));
        doc.set("metrics", s.metrics.toJson());
        doc.putObject("qa");

        ObjectNode integrity = doc.putObject("integrity");
        integrity.put("chain_head", s.chain.head);
        integrity.put("event_count", s.chain.nextSeq);
        integrity.put("merkle_root", s.chain.merkleRoot());
        integrity.put("verdict", verdict(s.status));
        integrity.set("reasons", StrictJson.mapper().valueToTree(s.reasons));
        String rest = doc.toString(); // "{…}" with every member but events, which go first
        out.writeBytes(("]" + (rest.length() > 2 ? "," + rest.substring(1) : "}")).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static String verdict(TraceStatus status) {
        return switch (status) {
            case COMPLETE -> "verified";
            case REJECTED, ABANDONED -> "rejected";
            default -> "pending";
        };
    }
}
