package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.MerkleTree;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.integrity.TraceDocumentVerifier;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks an export offline, with nothing but its folder: every data file's SHA-256 and row count
 * against {@code manifest.json} (and no data file the manifest does not list), each row's trace
 * and chain head against the manifest's list, each row's typed event columns against the event
 * they came from ({@code raw}), and each row's events against its chain head, event count and
 * Merkle root (the same checks as {@code prt verify} on a document). A problem names the file and
 * the row. {@link #prove} gives the RFC 6962 inclusion proof of one event in its trace's root.
 */
public final class ExportVerifier {
    private ExportVerifier() {
    }

    public record Report(List<String> problems, long files, long rows, long events) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    public static Report verify(Path dir) throws IOException {
        List<String> problems = new ArrayList<>();
        JsonNode manifest = manifest(dir);
        Map<String, JsonNode> byFileRow = new HashMap<>();
        for (JsonNode t : manifest.path("traces")) {
            byFileRow.put(t.path("file").asText() + "#" + t.path("row").asLong(), t);
        }
        TreeSet<String> listed = new TreeSet<>();
        long[] rows = {0};
        long[] events = {0};
        for (JsonNode f : manifest.path("files")) {
            String name = f.path("path").asText();
            listed.add(name);
            Path file = dir.resolve(name).normalize();
            if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                problems.add(name + ": missing");
                continue;
            }
            String sha = ExportFiles.sha256(file);
            if (!sha.equals(f.path("sha256").asText())) {
                problems.add(name + ": SHA-256 is " + sha + ", the manifest says " + f.path("sha256").asText());
            }
            long[] n = {0};
            boolean instances = "swebench".equals(manifest.path("format").asText());
            try {
                ExportFiles.read(file, row -> {
                    JsonNode listedHere = byFileRow.get(name + "#" + n[0]);
                    String problem = instances ? checkListed(row, listedHere) : checkRow(name, n[0], row, listedHere);
                    if (problem != null) {
                        problems.add(name + " row " + n[0] + " (trace " + row.path("trace_id").asText("?") + "): " + problem);
                    }
                    events[0] += row.path("events").size();
                    n[0]++;
                });
            } catch (IOException | RuntimeException e) {
                problems.add(name + " row " + n[0] + ": unreadable — " + e.getMessage());
            }
            rows[0] += n[0];
            if (n[0] != f.path("rows").asLong()) {
                problems.add(name + ": " + n[0] + " rows, the manifest says " + f.path("rows").asLong());
            }
        }
        for (JsonNode r : manifest.path("repos")) {
            String name = r.path("path").asText();
            listed.add(name);
            Path file = dir.resolve(name).normalize();
            if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                problems.add(name + ": missing");
            } else if (!ExportFiles.sha256(file).equals(r.path("sha256").asText())) {
                problems.add(name + ": SHA-256 is " + ExportFiles.sha256(file) + ", the manifest says " + r.path("sha256").asText());
            }
        }
        Path data = dir.resolve("data");
        if (Files.isDirectory(data)) {
            try (var list = Files.list(data)) {
                list.map(p -> "data/" + p.getFileName()).filter(p -> !listed.contains(p)).sorted()
                        .forEach(p -> problems.add(p + ": not in the manifest"));
            }
        }
        return new Report(problems, listed.size(), rows[0], events[0]);
    }

    static JsonNode manifest(Path dir) throws IOException {
        Path m = dir.resolve("manifest.json");
        if (!Files.isRegularFile(m)) {
            throw new IOException(dir + " has no manifest.json: not an export");
        }
        JsonNode manifest = StrictJson.parseAccepted(Files.readString(m));
        if (!Export.MANIFEST_VERSION.equals(manifest.path("manifest_version").asText())) {
            throw new IOException(m + ": not a " + Export.MANIFEST_VERSION + " manifest");
        }
        return manifest;
    }

    /** For rows without events (SWE-bench instances): the trace and chain head the manifest lists at this row. */
    static String checkListed(ObjectNode row, JsonNode listed) {
        if (listed == null) {
            return "the manifest lists no trace at this row";
        }
        if (!listed.path("trace_id").asText().equals(row.path("trace_id").asText(null))) {
            return "the manifest lists trace " + listed.path("trace_id").asText() + " here";
        }
        if (!listed.path("chain_head").asText("").equals(row.path("chain_head").asText(""))) {
            return "chain_head " + row.path("chain_head").asText() + " is not the manifest's " + listed.path("chain_head").asText();
        }
        return null;
    }

    /** What is wrong with one row, or null. */
    static String checkRow(String file, long index, ObjectNode row, JsonNode listed) {
        String traceId = row.path("trace_id").asText(null);
        String listedProblem = checkListed(row, listed);
        if (listedProblem != null) {
            return listedProblem;
        }
        if (listed == null) {
            return "the manifest lists no trace at this row";
        }
        if (!listed.path("trace_id").asText().equals(traceId)) {
            return "the manifest lists trace " + listed.path("trace_id").asText() + " here";
        }
        if (!listed.path("chain_head").asText("").equals(row.path("chain_head").asText(""))) {
            return "chain_head " + row.path("chain_head").asText() + " is not the manifest's " + listed.path("chain_head").asText();
        }
        ObjectNode doc = StrictJson.mapper().createObjectNode();
        doc.put("trace_id", traceId);
        ArrayNode raw = doc.putArray("events");
        for (JsonNode e : row.path("events")) {
            JsonNode event;
            try {
                event = StrictJson.parse(e.path("raw").asText());
            } catch (RuntimeException ex) {
                return "event seq " + e.path("seq").asText("?") + ": raw is not JSON (" + ex.getMessage() + ")";
            }
            String column = differingColumn(ExportRows.event(event), e);
            if (column != null) {
                return "event seq " + e.path("seq").asText("?") + ": column '" + column + "' is not what its raw event says";
            }
            raw.add(event);
        }
        ObjectNode integrity = doc.putObject("integrity");
        integrity.put("chain_head", row.path("chain_head").asText(null));
        integrity.put("merkle_root", row.path("merkle_root").asText(null));
        integrity.set("event_count", row.path("event_count"));
        ChainVerdict v = TraceDocumentVerifier.verifyDocument(doc);
        return v.intact() ? null : v.summary();
    }

    private static String differingColumn(ObjectNode expected, JsonNode actual) {
        Iterator<String> names = expected.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!CanonicalJson.canonicalString(expected.get(n)).equals(CanonicalJson.canonicalString(actual.path(n).isMissingNode()
                    ? StrictJson.mapper().nullNode() : actual.get(n)))) {
                return n;
            }
        }
        return actual.size() == expected.size() ? null : "(a column the schema does not have)";
    }

    /** The inclusion proof of event {@code seq} of a trace in the export, checked against its row's Merkle root. */
    public static ObjectNode prove(Path dir, String traceId, long seq) throws IOException {
        JsonNode manifest = manifest(dir);
        JsonNode listed = null;
        for (JsonNode t : manifest.path("traces")) {
            if (t.path("trace_id").asText().equals(traceId)) {
                listed = t;
            }
        }
        if (listed == null) {
            throw new IOException("trace " + traceId + " is not in this export");
        }
        long wanted = listed.path("row").asLong();
        ObjectNode[] found = {null};
        long[] n = {0};
        ExportFiles.read(dir.resolve(listed.path("file").asText()), row -> {
            if (n[0]++ == wanted) {
                found[0] = row;
            }
        });
        if (found[0] == null || !traceId.equals(found[0].path("trace_id").asText())) {
            throw new IOException(listed.path("file").asText() + " row " + wanted + " is not trace " + traceId);
        }
        List<String> hashes = new ArrayList<>();
        found[0].path("events").forEach(e -> hashes.add(e.path("hash").asText()));
        if (seq < 0 || seq >= hashes.size()) {
            throw new IOException("trace " + traceId + " has events 0.." + (hashes.size() - 1) + ", not " + seq);
        }
        List<byte[]> leaves = MerkleTree.leavesFromEventHashes(hashes);
        List<byte[]> proof = MerkleTree.inclusionProof(leaves, (int) seq);
        String root = found[0].path("merkle_root").asText();
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.put("trace_id", traceId);
        out.put("file", listed.path("file").asText());
        out.put("row", wanted);
        out.put("seq", seq);
        out.put("event_hash", hashes.get((int) seq));
        out.put("leaf_hash", Sha256.hex(leaves.get((int) seq)));
        out.put("tree_size", hashes.size());
        ArrayNode p = out.putArray("proof");
        proof.forEach(h -> p.add(Sha256.hex(h)));
        out.put("merkle_root", root);
        String bad = MerkleTree.checkInclusion(seq, hashes.size(), leaves.get((int) seq), proof, Sha256.unhex(root));
        out.put("valid", bad == null);
        if (bad != null) {
            out.put("problem", bad);
        }
        return out;
    }
}
