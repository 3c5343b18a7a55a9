package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A dataset export: selects the traces ({@link ExportSelection}), assigns each task to a split,
 * plans the data files, runs {@link ExportJob}, then writes {@code manifest.json} (every file's
 * SHA-256 and row count, the filters, the time, every trace with its chain head, file and row)
 * and {@code README.md} (a dataset card Hugging Face {@code datasets} reads), and registers the
 * export and its traces in PostgreSQL ({@code exports}, {@code export_traces}) for erasures.
 */
public final class Export {
    public static final String MANIFEST_VERSION = "prt-export-manifest-v1";

    private Export() {
    }

    /** What to export and how. {@code splits}: name → fraction of tasks, in order. */
    public record Options(Path out, ExportFiles.Format format, ExportSelection.Filters filters, long seed,
                          LinkedHashMap<String, Double> splits, int rowsPerFile, String command) {
    }

    /**
     * The split of a task: fixed by the task and the seed alone (SHA-256 of {@code seed:task} as a
     * fraction in [0, 1)), so a task never changes split as more traces arrive, and no task is in two.
     */
    public static String split(String task, long seed, LinkedHashMap<String, Double> splits) {
        byte[] h = Sha256.digest((seed + ":" + task).getBytes(StandardCharsets.UTF_8));
        double x = (ByteBuffer.wrap(h).getLong() >>> 11) / (double) (1L << 53);
        double total = splits.values().stream().mapToDouble(Double::doubleValue).sum();
        double at = 0;
        String last = null;
        for (Map.Entry<String, Double> s : splits.entrySet()) {
            at += s.getValue() / total;
            last = s.getKey();
            if (x < at) {
                return s.getKey();
            }
        }
        return last;
    }

    /** The data files: per split, its traces in trace-id order, {@code rowsPerFile} to a file. */
    public static List<ExportJob.FileTask> plan(List<ExportSelection.Selected> selected, Options o) {
        Map<String, List<String>> bySplit = new TreeMap<>();
        for (ExportSelection.Selected s : selected) {
            // SWE-bench instances are an evaluation set: one split
            String split = o.format() == ExportFiles.Format.SWEBENCH ? "test" : split(s.taskId(), o.seed(), o.splits());
            bySplit.computeIfAbsent(split, k -> new ArrayList<>()).add(s.traceId());
        }
        List<ExportJob.FileTask> tasks = new ArrayList<>();
        bySplit.forEach((split, ids) -> {
            ids.sort(null);
            int files = (ids.size() + o.rowsPerFile() - 1) / o.rowsPerFile();
            for (int i = 0; i < files; i++) {
                tasks.add(new ExportJob.FileTask(String.format("data/%s-%05d-of-%05d.%s", split, i, files, o.format().extension), split,
                        ids.subList(i * o.rowsPerFile(), Math.min(ids.size(), (i + 1) * o.rowsPerFile()))));
            }
        });
        return tasks;
    }

    /** Runs the export; returns its manifest. The folder must be new or empty. */
    public static ObjectNode run(StreamExecutionEnvironment env, Options o, ExportJob.Stores stores) throws Exception {
        Path out = o.out().toAbsolutePath();
        if (Files.isDirectory(out)) {
            try (var list = Files.list(out)) {
                if (list.findAny().isPresent()) {
                    throw new IllegalArgumentException(out + " is not empty: an export goes to a new or empty folder");
                }
            }
        }
        Files.createDirectories(out.resolve("data"));
        Instant started = Instant.now();
        List<ExportSelection.Selected> selected;
        try (Connection c = DriverManager.getConnection(stores.jdbcUrl(), stores.jdbcUser(), stores.jdbcPassword())) {
            selected = ExportSelection.select(c, o.filters());
        }
        List<ExportJob.FileTask> tasks = plan(selected, o);
        List<JsonNode> files = new ArrayList<>(ExportJob.run(env, out, o.format(), tasks, stores));
        files.sort(Comparator.comparing(f -> f.path("path").asText()));
        ObjectNode manifest = manifest(o, files, started);
        try (Connection c = DriverManager.getConnection(stores.jdbcUrl(), stores.jdbcUser(), stores.jdbcPassword())) {
            long id;
            try {
                id = register(c, o, manifest, out);
            } catch (ErasedMeanwhile e) {
                withdraw(out);
                throw new IllegalStateException("traces " + e.traces + " were erased while the export ran; it was removed: run it again");
            }
            manifest.put("export_id", id);
            byte[] bytes = (manifest.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
            Files.write(out.resolve("manifest.json"), bytes);
            try (PreparedStatement ps = c.prepareStatement("UPDATE exports SET manifest_sha256 = ? WHERE id = ?")) {
                ps.setString(1, Sha256.hex(Sha256.digest(bytes)));
                ps.setLong(2, id);
                ps.executeUpdate();
            }
        }
        Files.writeString(out.resolve("README.md"), DatasetCard.write(o, manifest), StandardCharsets.UTF_8);
        return manifest;
    }

    static ObjectNode manifest(Options o, List<JsonNode> files, Instant started) {
        ObjectNode m = StrictJson.mapper().createObjectNode();
        m.put("manifest_version", MANIFEST_VERSION);
        m.put("row_schema", ExportSchema.VERSION);
        m.put("created_at", started.toString());
        m.put("format", o.format().label);
        m.put("command", o.command());
        m.set("filters", o.filters().json());
        m.put("seed", o.seed());
        ObjectNode splitFractions = m.putObject("split_fractions");
        o.splits().forEach(splitFractions::put);
        ObjectNode splits = m.putObject("splits");
        ArrayNode fileList = m.putArray("files");
        ArrayNode traces = m.putArray("traces");
        ArrayNode leftOut = m.putArray("left_out");
        ArrayNode repos = m.putArray("repos");
        long total = 0;
        for (JsonNode f : files) {
            ObjectNode e = fileList.addObject();
            e.put("path", f.get("path").asText());
            e.put("split", f.get("split").asText());
            e.put("rows", f.get("rows").asLong());
            e.put("bytes", f.get("bytes").asLong());
            e.put("sha256", f.get("sha256").asText());
            ObjectNode s = splits.has(f.get("split").asText()) ? (ObjectNode) splits.get(f.get("split").asText())
                    : splits.putObject(f.get("split").asText()).put("rows", 0).put("files", 0);
            s.put("rows", s.get("rows").asLong() + f.get("rows").asLong());
            s.put("files", s.get("files").asLong() + 1);
            total += f.get("rows").asLong();
            for (JsonNode t : f.get("traces")) {
                traces.addObject().put("trace_id", t.get("trace_id").asText()).put("chain_head", t.path("chain_head").asText(null))
                        .put("merkle_root", t.path("merkle_root").asText(null)).put("file", e.get("path").asText())
                        .put("row", t.get("row").asLong());
            }
            f.path("left_out").forEach(leftOut::add);
            f.path("repos").forEach(repos::add);
        }
        m.put("rows", total);
        return m;
    }

    /** The advisory lock an export's registration and an erasure take (the gateway's Erasures uses the same number). */
    public static final long EXPORTS_LOCK = 0x7072745f657870L;

    static final class ErasedMeanwhile extends Exception {
        final List<String> traces;

        ErasedMeanwhile(List<String> traces) {
            super("erased while the export ran: " + traces);
            this.traces = traces;
        }
    }

    /**
     * Registers the export and its traces, under the lock erasures take: an erasure that committed
     * first is seen here (and the export is refused: a trace erased after its row was written), one
     * that comes after finds this export in {@code export_traces} and lists it.
     */
    private static long register(Connection c, Options o, ObjectNode manifest, Path out) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(" + EXPORTS_LOCK + ")")) {
            ps.execute();
        }
        List<String> erased = erasedSince(c, manifest);
        if (!erased.isEmpty()) {
            c.rollback();
            c.setAutoCommit(true);
            throw new ErasedMeanwhile(erased);
        }
        long id;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO exports (created_at, location, format, filters, rows)"
                + " VALUES (?, ?, ?, ?::jsonb, ?) RETURNING id")) {
            ps.setTimestamp(1, Timestamp.from(Instant.parse(manifest.get("created_at").asText())));
            ps.setString(2, out.toString());
            ps.setString(3, o.format().label);
            ps.setString(4, manifest.get("filters").toString());
            ps.setLong(5, manifest.get("rows").asLong());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO export_traces (export_id, trace_id, chain_head) VALUES (?, ?, ?)")) {
            for (JsonNode t : manifest.get("traces")) {
                ps.setLong(1, id);
                ps.setString(2, t.get("trace_id").asText());
                ps.setString(3, t.path("chain_head").asText(null));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
        return id;
    }

    private static List<String> erasedSince(Connection c, ObjectNode manifest) throws Exception {
        List<String> ids = new ArrayList<>();
        manifest.get("traces").forEach(t -> ids.add(t.get("trace_id").asText()));
        List<String> erased = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT trace_id FROM erased_traces WHERE trace_id = ANY (?) ORDER BY 1")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    erased.add(rs.getString(1));
                }
            }
        }
        return erased;
    }

    private static void withdraw(Path out) throws IOException {
        try (var walk = Files.walk(out)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(out)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
