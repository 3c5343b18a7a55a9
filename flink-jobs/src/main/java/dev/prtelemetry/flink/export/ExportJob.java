package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.qa.SandboxVerifyFunction;
import dev.prtelemetry.flink.qa.StoredDocuments;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.model.ArtifactRef;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * The export as a Flink BATCH job: one task per data file (its split and the trace ids it holds,
 * in trace-id order, fixed before the job starts so the files can be named {@code
 * <split>-NNNNN-of-NNNNN}); each task rebuilds its traces' documents from PostgreSQL (skeleton and
 * chunk rows, a batch per query; the document store when a trace cannot be rebuilt), reads their
 * verification, judgements, consent and final patch, and writes the file. Tasks run in parallel;
 * a file's bytes depend only on its rows, so the same data exports to the same files.
 * Returns one result per file (JSON: path, split, rows, bytes, sha256, the traces with their chain
 * heads and row numbers, and the traces left out because they were erased meanwhile).
 */
public final class ExportJob {
    private ExportJob() {
    }

    /** Where the job reads and writes. */
    public record Stores(String jdbcUrl, String jdbcUser, String jdbcPassword, String artifactsBaseUri) implements Serializable {
    }

    /** One data file to write: its path under the export folder, its split and its traces in order. */
    public static class FileTask implements Serializable {
        private static final long serialVersionUID = 1L;
        public String path;
        public String split;
        public String[] traceIds;

        public FileTask() {
        }

        public FileTask(String path, String split, List<String> traceIds) {
            this.path = path;
            this.split = split;
            this.traceIds = traceIds.toArray(new String[0]);
        }
    }

    public static List<JsonNode> run(StreamExecutionEnvironment env, Path out, ExportFiles.Format format, List<FileTask> tasks,
                                     Stores stores) throws Exception {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        List<JsonNode> results = new ArrayList<>();
        if (tasks.isEmpty()) {
            return results;
        }
        var written = env.fromData(Types.POJO(FileTask.class), tasks.toArray(new FileTask[0])).name("data files").uid("export-files")
                .rebalance()
                .map(new WriteFile(out.toAbsolutePath().toString(), format, stores), Types.STRING).name("write data file")
                .uid("export-write");
        try (CloseableIterator<String> it = written.executeAndCollect("prt-export")) {
            it.forEachRemaining(s -> results.add(StrictJson.parse(s)));
        }
        return results;
    }

    /** One data file being written: its rows, the traces it holds (with row numbers) and those left out. */
    public static final class DataFile implements AutoCloseable {
        private final Path file;
        private final ObjectNode result = StrictJson.mapper().createObjectNode();
        private final ExportFiles.Writer writer;
        private long rows;
        private boolean finished;

        public DataFile(Path root, String path, String split, ExportFiles.Format format) throws IOException {
            this.file = root.resolve(path);
            result.put("path", path);
            result.put("split", split);
            result.putArray("traces");
            result.putArray("left_out");
            writer = ExportFiles.open(file, format);
        }

        public void add(ObjectNode row) throws IOException {
            writer.write(row);
            ((ArrayNode) result.get("traces")).addObject().put("trace_id", row.path("trace_id").asText())
                    .put("chain_head", row.path("chain_head").asText(null)).put("merkle_root", row.path("merkle_root").asText(null))
                    .put("row", rows++);
        }

        /** A repository tarball written beside the file (SWE-bench exports). */
        public void repository(String path, String instanceId) throws IOException {
            Path p = file.getParent().getParent().resolve(path);
            ((ArrayNode) result.withArray("repos")).addObject().put("path", path).put("instance_id", instanceId)
                    .put("bytes", Files.size(p)).put("sha256", ExportFiles.sha256(p));
        }

        public void leftOut(String traceId, String reason) {
            ((ArrayNode) result.get("left_out")).addObject().put("trace_id", traceId).put("reason", reason);
        }

        /** Closes the file; its path, split, rows, bytes, SHA-256, traces and left-out traces. */
        public ObjectNode finish() throws IOException {
            writer.close();
            finished = true;
            result.put("rows", rows);
            result.put("bytes", Files.size(file));
            result.put("sha256", ExportFiles.sha256(file));
            return result;
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                writer.close();
            }
        }
    }

    /** Writes one data file. */
    static final class WriteFile extends RichMapFunction<FileTask, String> {
        private static final long serialVersionUID = 1L;
        static final int BATCH = 32;
        private final String out;
        private final ExportFiles.Format format;
        private final Stores stores;
        private transient Connection connection;
        private transient StoredDocuments documents;

        WriteFile(String out, ExportFiles.Format format, Stores stores) {
            this.out = out;
            this.format = format;
            this.stores = stores;
        }

        @Override
        public void open(OpenContext context) throws Exception {
            connection = DriverManager.getConnection(stores.jdbcUrl(), stores.jdbcUser(), stores.jdbcPassword());
            documents = new StoredDocuments(stores.jdbcUrl(), stores.jdbcUser(), stores.jdbcPassword());
        }

        @Override
        public String map(FileTask task) throws Exception {
            try (DataFile file = new DataFile(Path.of(out), task.path, task.split, format)) {
                List<String> ids = Arrays.asList(task.traceIds);
                for (int i = 0; i < ids.size(); i += BATCH) {
                    List<String> batch = ids.subList(i, Math.min(ids.size(), i + BATCH));
                    Map<String, ExportSelection.Details> details = ExportSelection.details(connection, batch);
                    Map<String, byte[]> docs = documents.rebuild(new ArrayList<>(details.keySet()));
                    for (String id : batch) {
                        ExportSelection.Details d = details.get(id);
                        if (d == null) {
                            file.leftOut(id, "erased, or its consent's retention ended");
                            continue;
                        }
                        byte[] doc = docs.get(id);
                        if (doc == null) {
                            doc = SandboxVerifyFunction.read(d.documentUri());
                        }
                        JsonNode document = StrictJson.parseAccepted(doc);
                        if (format == ExportFiles.Format.SWEBENCH) {
                            String[] whyNot = {null};
                            ObjectNode instance = ExportRows.instance(document, d.verification(), finalPatch(document), whyNot);
                            if (instance == null) {
                                file.leftOut(id, whyNot[0]);
                                continue;
                            }
                            String repo = "repos/" + instance.get("instance_id").asText() + ".tar.gz";
                            try {
                                repository(document, Path.of(out).resolve(repo));
                            } catch (IOException | InterruptedException e) {
                                file.leftOut(id, "its repository could not be rebuilt from the start snapshot: " + e.getMessage());
                                continue;
                            }
                            file.add(instance);
                            file.repository(repo, instance.get("instance_id").asText());
                        } else {
                            file.add(ExportRows.row(document, task.split, d.verification(), d.judgements(), d.consent(),
                                    finalPatch(document)));
                        }
                    }
                }
                return file.finish().toString();
            }
        }

        /**
         * The trace's repository at its start commit as {@code repos/<instance_id>.tar.gz} (what
         * {@code prt qa swebench --repos} unpacks), from the start snapshot (a git bundle) it was recorded with.
         */
        private void repository(JsonNode document, Path tarball) throws IOException, InterruptedException {
            withStart(document, repo -> {
                Files.createDirectories(tarball.getParent());
                Process p = new ProcessBuilder("tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                        "-czf", tarball.toString(), "-C", repo.toString(), ".").redirectErrorStream(true).start();
                String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IOException("tar: " + said.strip());
                }
                return null;
            });
        }

        /**
         * The final patch: the recorder's ({@code repo.final_patch_ref}) when it was uploaded, else
         * the net change of the recorded edits replayed on the start snapshot (as the verifier
         * replays them), else null (no snapshot, or an edit was redacted).
         */
        private String finalPatch(JsonNode document) {
            String ref = document.at("/repo/final_patch_ref").asText(null);
            if (ref != null && stores.artifactsBaseUri() != null) {
                try {
                    return new String(SandboxVerifyFunction.read(ArtifactRef.parse(ref).location(stores.artifactsBaseUri())), StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    // never uploaded, or erased with the trace's artifacts: replay the edits
                }
            }
            if (document.at("/repo/snapshot_ref").asText(null) == null) {
                return null;
            }
            try {
                return withStart(document, repo -> {
                    List<JsonNode> events = new ArrayList<>();
                    document.path("events").forEach(events::add);
                    dev.prtelemetry.qa.grading.Workspaces.applyEdits(repo, events, p -> true);
                    git(repo, "add", "-A");
                    String diff = git(repo, "-c", "core.quotepath=off", "diff", "--cached", "--no-color", "--no-ext-diff", "HEAD");
                    return diff.isEmpty() ? null : diff;
                });
            } catch (IOException | InterruptedException | RuntimeException e) {
                return null;
            }
        }

        interface InRepo<T> {
            T apply(Path repo) throws IOException, InterruptedException;
        }

        /** Runs {@code body} in a checkout of the trace's start snapshot at its start commit, then removes it. */
        private <T> T withStart(JsonNode document, InRepo<T> body) throws IOException, InterruptedException {
            String ref = document.at("/repo/snapshot_ref").asText(null);
            if (ref == null || stores.artifactsBaseUri() == null) {
                throw new IOException("the trace has no start snapshot (repo.snapshot_ref)");
            }
            Path tmp = Files.createTempDirectory("prt-export-repo");
            try {
                Path bundle = tmp.resolve("start.bundle");
                Files.write(bundle, SandboxVerifyFunction.read(ArtifactRef.parse(ref).location(stores.artifactsBaseUri())));
                Path repo = tmp.resolve("repo");
                dev.prtelemetry.qa.grading.Workspaces.checkout(bundle, document.at("/repo/start_commit").asText(), repo);
                return body.apply(repo);
            } finally {
                try (var walk = Files.walk(tmp)) {
                    for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(x);
                    }
                }
            }
        }

        static String git(Path dir, String... args) throws IOException, InterruptedException {
            List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
            argv.addAll(List.of(args));
            Process p = new ProcessBuilder(argv).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("git " + String.join(" ", args) + ": " + err.strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws Exception {
            if (documents != null) {
                documents.close();
            }
            if (connection != null) {
                connection.close();
            }
        }
    }
}
