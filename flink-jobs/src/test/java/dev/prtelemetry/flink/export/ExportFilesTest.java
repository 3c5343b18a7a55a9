package dev.prtelemetry.flink.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export's files from the recorded example traces: Parquet read back by DuckDB (a reader that
 * is not the writer) and JSONL by Python's json module give the rows as built; the dataset card's
 * YAML parses (PyYAML) and names the files; the verifier accepts the export and names the file
 * and row of a tampered one.
 */
class ExportFilesTest {
    static final List<ObjectNode> ROWS = new ArrayList<>();

    @BeforeAll
    static void rows() throws Exception {
        try (var dirs = Files.list(Path.of("..", "examples"))) {
            for (Path d : dirs.sorted().toList()) {
                Path doc = d.resolve("trace.json");
                if (!Files.isRegularFile(doc)) {
                    continue;
                }
                JsonNode document = StrictJson.parseAccepted(Files.readString(doc));
                var verification = new ExportRows.Verification("fail-to-pass-v1", "resolved", true, "2026-12-01T00:00:00Z",
                        StrictJson.parse("[{\"id\":\"tests/test_a.py::test_bug\",\"before\":\"failed\",\"after\":\"passed\"},"
                                + "{\"id\":\"tests/test_a.py::test_ok\",\"before\":\"passed\",\"after\":\"passed\"}]"));
                var judgement = new ExportRows.Judgement("debugging@2", "heuristic-v1", 3.5,
                        StrictJson.parse("{\"reproducibility\":{\"score\":4,\"justification\":\"ran the failing test\",\"evidence\":[\"ev-1\"]}}"),
                        "2026-12-01T00:00:01Z");
                ROWS.add(ExportRows.row(document, "train", verification, List.of(judgement),
                        new ExportRows.Consent(List.of("training", "evaluation"), "prt-consent-v1"),
                        "diff --git a/src/x.py b/src/x.py\n--- a/src/x.py\n+++ b/src/x.py\n@@ -1 +1 @@\n-a\n+b\n"
                                + "diff --git a/tests/test_x.py b/tests/test_x.py\n--- a/tests/test_x.py\n+++ b/tests/test_x.py\n@@ -1 +1 @@\n-c\n+d\n"));
            }
        }
        assertThat(ROWS).hasSizeGreaterThanOrEqualTo(3);
    }

    private static ObjectNode export(Path dir, ExportFiles.Format format) throws Exception {
        List<JsonNode> files = new ArrayList<>();
        String path = "data/train-00000-of-00001." + format.extension;
        try (ExportJob.DataFile f = new ExportJob.DataFile(dir, path, "train", format)) {
            for (ObjectNode r : ROWS) {
                f.add(r);
            }
            files.add(f.finish());
        }
        LinkedHashMap<String, Double> splits = new LinkedHashMap<>(Map.of("train", 1.0));
        Export.Options o = new Export.Options(dir, format, new ExportSelection.Filters(true, "debugging@2", 3.0, "training", null, null,
                null), 42, splits, 1000, "./prt export --out " + dir);
        ObjectNode manifest = Export.manifest(o, files, Instant.parse("2026-12-02T00:00:00Z"));
        Files.writeString(dir.resolve("manifest.json"), manifest.toPrettyString());
        Files.writeString(dir.resolve("README.md"), DatasetCard.write(o, manifest));
        return manifest;
    }

    @Test
    void parquetReadByDuckDbGivesEveryRowAsBuilt(@TempDir Path dir) throws Exception {
        export(dir, ExportFiles.Format.PARQUET);
        Path file = dir.resolve("data/train-00000-of-00001.parquet");
        Map<String, String> read = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT trace_id, to_json(t)::VARCHAR FROM read_parquet('" + file + "') t")) {
            while (rs.next()) {
                read.put(rs.getString(1), CanonicalJson.canonicalString(StrictJson.parseAccepted(rs.getString(2))));
            }
        }
        Map<String, String> built = new TreeMap<>();
        ROWS.forEach(r -> built.put(r.get("trace_id").asText(), CanonicalJson.canonicalString(r)));
        assertThat(read).isEqualTo(built);
        // typed columns are columns: DuckDB reaches into the events' structs
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT unnest(events) AS e FROM read_parquet('" + file + "'))"
                     + " WHERE e.type = 'rationale_note' AND e.note_kind IS NOT NULL AND e.command IS NULL")) {
            rs.next();
            long notes = ROWS.stream().mapToLong(r -> {
                long n = 0;
                for (JsonNode e : r.get("events")) {
                    n += "rationale_note".equals(e.get("type").asText()) ? 1 : 0;
                }
                return n;
            }).sum();
            assertThat(rs.getLong(1)).isEqualTo(notes).isPositive();
        }
        assertThat(ExportVerifier.verify(dir).problems()).isEmpty();
    }

    @Test
    void jsonlReadByPythonsJsonModuleAndTheCardsYamlParses(@TempDir Path dir) throws Exception {
        export(dir, ExportFiles.Format.JSONL);
        String script = String.join("\n",
                "import json, sys, yaml",
                "rows = [json.loads(l) for l in open(sys.argv[1] + '/data/train-00000-of-00001.jsonl', encoding='utf-8')]",
                "text = open(sys.argv[1] + '/README.md', encoding='utf-8').read()",
                "card = yaml.safe_load(text.split('---\\n')[1])",
                "files = [p for c in card['configs'] for d in c['data_files'] for p in d['path']]",
                "print(json.dumps({'rows': [r['trace_id'] for r in rows], 'events': sum(len(r['events']) for r in rows),",
                "  'files': files, 'splits': {s['name']: s['num_examples'] for s in card['dataset_info']['splits']},",
                "  'features': [f['name'] for f in card['dataset_info']['features']]}))");
        Process p = new ProcessBuilder("python3", "-c", script, dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        JsonNode got = StrictJson.parse(out.trim());
        assertThat(got.get("rows")).hasSize(ROWS.size());
        assertThat(got.get("events").asLong()).isEqualTo(ROWS.stream().mapToLong(r -> r.get("events").size()).sum());
        assertThat(got.get("files").get(0).asText()).isEqualTo("data/train-00000-of-00001.jsonl");
        assertThat(got.at("/splits/train").asLong()).isEqualTo(ROWS.size());
        assertThat(got.get("features").toString()).contains("\"trace_id\"", "\"events\"", "\"fail_to_pass\"", "\"merkle_root\"");
        assertThat(ExportVerifier.verify(dir).problems()).isEmpty();
    }

    @Test
    void theVerifierNamesTheFileAndRowOfATamperedExport(@TempDir Path dir) throws Exception {
        export(dir, ExportFiles.Format.JSONL);
        Path file = dir.resolve("data/train-00000-of-00001.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        // row 1: a note's text changed in its raw event (the chain no longer holds) — and in the typed column to match
        ObjectNode row = (ObjectNode) StrictJson.parse(lines.get(1));
        ObjectNode note = null;
        for (JsonNode e : row.get("events")) {
            if ("rationale_note".equals(e.get("type").asText())) {
                note = (ObjectNode) e;
                break;
            }
        }
        ObjectNode raw = (ObjectNode) StrictJson.parse(note.get("raw").asText());
        ((ObjectNode) raw.get("payload")).put("text", "a reasoning step that was never written");
        note.put("raw", CanonicalJson.canonicalString(raw));
        note.put("text", "a reasoning step that was never written");
        lines.set(1, row.toString());
        long tamperedSeq = note.get("seq").asLong();
        // row 2: only a typed column changed
        ObjectNode row2 = (ObjectNode) StrictJson.parse(lines.get(2));
        ((ObjectNode) row2.get("events").get(0)).put("type", "commit");
        lines.set(2, row2.toString());
        Files.write(file, lines);
        List<String> problems = ExportVerifier.verify(dir).problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("data/train-00000-of-00001.jsonl: SHA-256 is"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("data/train-00000-of-00001.jsonl row 1 (trace "
                + ROWS.get(1).get("trace_id").asText() + "): ").contains("seq=" + tamperedSeq).contains("tampered"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("data/train-00000-of-00001.jsonl row 2 (trace ")
                .contains("event seq 0: column 'type' is not what its raw event says"));
        assertThat(problems).hasSize(3);

        // an extra file is named too, and an inclusion proof checks against the row's root
        Files.writeString(dir.resolve("data/extra.jsonl"), "{}\n");
        assertThat(ExportVerifier.verify(dir).problems()).contains("data/extra.jsonl: not in the manifest");
        ObjectNode proof = ExportVerifier.prove(dir, ROWS.get(0).get("trace_id").asText(), 2);
        assertThat(proof.get("valid").asBoolean()).isTrue();
        assertThat(proof.get("tree_size").asInt()).isEqualTo(ROWS.get(0).get("events").size());
    }

    @Test
    void splitsAreByTaskFixedByTheSeedAndThePatchSplitsIntoFixAndTests() {
        LinkedHashMap<String, Double> splits = new LinkedHashMap<>();
        splits.put("train", 0.8);
        splits.put("validation", 0.1);
        splits.put("test", 0.1);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 2000; i++) {
            String s = Export.split("task-" + i, 42, splits);
            assertThat(Export.split("task-" + i, 42, splits)).isEqualTo(s);
            counts.merge(s, 1, Integer::sum);
        }
        assertThat(counts.get("train")).isBetween(1500, 1700);
        assertThat(counts.get("validation")).isBetween(140, 260);
        assertThat(counts.get("test")).isBetween(140, 260);
        long moved = java.util.stream.IntStream.range(0, 200)
                .filter(i -> !Export.split("task-" + i, 42, splits).equals(Export.split("task-" + i, 7, splits))).count();
        assertThat(moved).as("another seed, other splits").isPositive();

        JsonNode r = ROWS.get(0);
        assertThat(r.get("patch").asText()).contains("src/x.py").doesNotContain("tests/test_x.py");
        assertThat(r.get("test_patch").asText()).contains("tests/test_x.py").doesNotContain("src/x.py");
        assertThat(r.get("fail_to_pass").toString()).isEqualTo("[\"tests/test_a.py::test_bug\"]");
        assertThat(r.get("pass_to_pass").toString()).isEqualTo("[\"tests/test_a.py::test_ok\"]");
    }
}
