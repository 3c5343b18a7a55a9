package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The export's {@code README.md}: a Hugging Face dataset card. Its YAML header names every data
 * file per split ({@code configs[].data_files}, so {@code load_dataset("parquet"|"json", data_dir)}
 * or {@code load_dataset(path)} finds them), the features from {@link ExportSchema}, the licence
 * and the split sizes; the text says how it was filtered, the command that made it, the consent
 * the rows were given under, and how to check it ({@code ./prt verify --export}).
 */
public final class DatasetCard {
    private DatasetCard() {
    }

    public static String write(Export.Options o, ObjectNode manifest) {
        Map<String, List<String>> files = new LinkedHashMap<>();
        Map<String, long[]> sizes = new LinkedHashMap<>();
        for (JsonNode f : manifest.get("files")) {
            files.computeIfAbsent(f.get("split").asText(), k -> new ArrayList<>()).add(f.get("path").asText());
            long[] s = sizes.computeIfAbsent(f.get("split").asText(), k -> new long[2]);
            s[0] += f.get("rows").asLong();
            s[1] += f.get("bytes").asLong();
        }
        StringBuilder y = new StringBuilder("---\n");
        y.append("pretty_name: ").append(q("PR Telemetry debugging traces")).append('\n');
        y.append("license: other\n");
        y.append("license_name: prt-participant-consent\n");
        y.append("tags:\n- code\n- debugging\n- software-engineering\n- provenance\n");
        y.append("configs:\n- config_name: default\n  data_files:\n");
        files.forEach((split, paths) -> {
            y.append("  - split: ").append(split).append('\n').append("    path:\n");
            paths.forEach(p -> y.append("    - ").append(q(p)).append('\n'));
        });
        y.append("dataset_info:\n  features:\n").append(o.format() == ExportFiles.Format.SWEBENCH ? INSTANCE_FEATURES
                : ExportSchema.features("  "));
        y.append("  splits:\n");
        sizes.forEach((split, s) -> y.append("  - name: ").append(split).append("\n    num_examples: ").append(s[0])
                .append("\n    num_bytes: ").append(s[1]).append('\n'));
        y.append("---\n\n");

        StringBuilder t = new StringBuilder(y);
        t.append("# PR Telemetry debugging traces\n\n");
        t.append("Recorded bug-fixing sessions: every edit, command, test run, commit and reasoning note of a developer fixing a")
                .append(" bug, as an ordered, hash-chained list of events, with the fix, the tests the fix turned from failing to")
                .append(" passing in a sandbox, and rubric scores of the debugging process.\n\n");
        t.append("Exported ").append(manifest.get("created_at").asText()).append(" by:\n\n```\n").append(o.command()).append("\n```\n\n");
        t.append("## Splits\n\nBy task, with seed ").append(o.seed()).append(": a task's split is fixed by the task and the seed")
                .append(" alone, so no task is in two splits and a task keeps its split in later exports.\n\n");
        t.append("| split | rows | files | bytes |\n| --- | ---: | ---: | ---: |\n");
        sizes.forEach((split, s) -> t.append("| ").append(split).append(" | ").append(s[0]).append(" | ")
                .append(files.get(split).size()).append(" | ").append(s[1]).append(" |\n"));
        if (sizes.isEmpty()) {
            t.append("| (none: no trace passed the filters) | 0 | 0 | 0 |\n");
        }
        t.append("\n## How the rows were chosen\n\n");
        t.append("Only complete traces whose hash chain verified on arrival, whose participant gave consent that is still")
                .append(" retained, and that were not erased. Filters of this export:\n\n```json\n")
                .append(manifest.get("filters").toPrettyString()).append("\n```\n\n");
        t.append("## Consent and licence\n\n");
        t.append("Each row was recorded by a participant who consented to the scopes in its `consent_scopes` under the consent")
                .append(" text version in `consent_text_version`. Use a row only within those scopes. A participant may withdraw:")
                .append(" an erasure lists the exports that held their traces, and later exports never contain them; delete")
                .append(" withdrawn rows from copies of this dataset when told to.\n\n");
        if (o.format() == ExportFiles.Format.SWEBENCH) {
            t.append("## SWE-bench task instances\n\n");
            t.append("One instance per verified trace, in SWE-bench's fields (`instance_id, repo, base_commit, patch, test_patch,")
                    .append(" FAIL_TO_PASS, PASS_TO_PASS, problem_statement`), plus `test_command` (what the trace's verification")
                    .append(" ran; not SWE-bench's), `trace_id` and `chain_head` (provenance). `repos/<instance_id>.tar.gz` holds")
                    .append(" each repository at its base commit. Evaluate the gold patches with\n\n```\n./prt qa swebench ")
                    .append(files.values().stream().flatMap(List::stream).findFirst().orElse("data/test-00000-of-00001.jsonl"))
                    .append(" --repos repos\n```\n\n");
        }
        t.append("## Columns\n\n");
        t.append("Schema `").append(ExportSchema.VERSION).append("` (the features above). Each row is one trace: task, repository")
                .append(" and start commit; `events` in `seq` order with typed columns per event kind (null where a kind has")
                .append(" none) and `raw`, the event exactly as hashed (RFC 8785 JSON); `final_patch` (the recorder's final patch, or the net change of the recorded edits replayed on the start snapshot)")
                .append(" and its split into `patch`")
                .append(" (the fix) and `test_patch` (test files); `fail_to_pass` / `pass_to_pass` from the newest sandbox")
                .append(" verification (`verdict`, `verifier`); `judgements` per rubric version and judge with evidence event ids;")
                .append(" `chain_head`, `merkle_root`, `event_count`.\n\n");
        t.append("## Checking it\n\n");
        t.append("`manifest.json` lists every file's SHA-256 and row count and every trace with its chain head.")
                .append(" `./prt verify --export DIR` checks the files against it and each row's events against its chain head")
                .append(" and Merkle root; `--prove TRACE_ID:SEQ` prints an RFC 6962 inclusion proof of one event.\n");
        return t.toString();
    }

    static final String INSTANCE_FEATURES = """
              - name: instance_id
                dtype: string
              - name: repo
                dtype: string
              - name: base_commit
                dtype: string
              - name: patch
                dtype: string
              - name: test_patch
                dtype: string
              - name: FAIL_TO_PASS
                sequence: string
              - name: PASS_TO_PASS
                sequence: string
              - name: problem_statement
                dtype: string
              - name: test_command
                dtype: string
              - name: created_at
                dtype: string
              - name: trace_id
                dtype: string
              - name: chain_head
                dtype: string
              - name: merkle_root
                dtype: string
              - name: verifier
                dtype: string
            """;

    /** A YAML scalar in double quotes (JSON's string syntax is YAML's). */
    static String q(String s) {
        return StrictJson.mapper().getNodeFactory().textNode(s).toString();
    }
}
