package dev.prtelemetry.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.flink.export.Export;
import dev.prtelemetry.flink.export.ExportFiles;
import dev.prtelemetry.flink.export.ExportJob;
import dev.prtelemetry.flink.export.ExportSelection;
import dev.prtelemetry.flink.export.ExportVerifier;
import dev.prtelemetry.flink.job.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./prt export --out DIR [--format parquet|jsonl] [--verified-only] [--rubric debugging@2 --min-score 3.5]
 * [--consent-scope training] [--task T] [--from DATE] [--to DATE] [--seed N] [--rows-per-file N]
 * [--splits train=0.8,validation=0.1,test=0.1]}: a dataset from the running stack's PostgreSQL and
 * document store, by a BATCH Flink job in this process ({@link Export}).
 * {@code ./prt verify --export DIR [--prove TRACE_ID:SEQ]}: checks an export offline ({@link ExportVerifier}).
 */
public final class ExportMain {
    private ExportMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (a.contains("--export")) {
            System.exit(verify(a));
        }
        try {
            System.exit(export(a));
        } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
            System.err.println("prt export: not a number or date: " + e.getMessage()
                    + " (--min-score 3.5, --seed 42, --rows-per-file 1000, --from 2026-12-01 or an ISO instant)");
            System.exit(2);
        }
    }

    static int verify(List<String> a) throws Exception {
        Path dir = Path.of(RescoreMain.value(a, "--export", "."));
        String prove = RescoreMain.value(a, "--prove", null);
        try {
            if (prove != null) {
                int sep = prove.lastIndexOf(':');
                if (sep < 0) {
                    System.err.println("prt verify: --prove wants TRACE_ID:SEQ");
                    return 2;
                }
                ObjectNode proof = ExportVerifier.prove(dir, prove.substring(0, sep), Long.parseLong(prove.substring(sep + 1)));
                System.out.println(proof.toPrettyString());
                return proof.get("valid").asBoolean() ? 0 : 1;
            }
            long t0 = System.nanoTime();
            ExportVerifier.Report r = ExportVerifier.verify(dir);
            double s = (System.nanoTime() - t0) / 1e9;
            r.problems().forEach(p -> System.out.println("FAIL " + p));
            if (r.ok() && r.events() == 0) { // SWE-bench instances: no events to check
                System.out.printf("OK %d files, %d rows: hashes match the manifest, each row is the trace and chain head it lists"
                        + " (%.1f s)%n", r.files(), r.rows(), s);
                return 0;
            }
            if (r.ok()) {
                System.out.printf("OK %d files, %d rows, %d events: hashes match the manifest, every row's chain and Merkle root verify"
                        + " (%.1f s)%n", r.files(), r.rows(), r.events(), s);
                return 0;
            }
            System.out.printf("%d problems in %d files, %d rows%n", r.problems().size(), r.files(), r.rows());
            return 1;
        } catch (java.io.IOException e) {
            System.out.println("FAIL " + e.getMessage());
            return 1;
        }
    }

    static int export(List<String> a) throws Exception {
        Path data = Path.of(RescoreMain.value(a, "--data", ".prt-data")).toAbsolutePath();
        String outArg = RescoreMain.value(a, "--out", null);
        if (outArg == null) {
            System.err.println("prt export: --out DIR is required (a new or empty folder)");
            return 2;
        }
        String rubric = RescoreMain.value(a, "--rubric", null);
        String minScore = RescoreMain.value(a, "--min-score", null);
        if (minScore != null && rubric == null) {
            System.err.println("prt export: --min-score needs --rubric (a rubric version, e.g. debugging@2)");
            return 2;
        }
        ExportFiles.Format format;
        try {
            format = ExportFiles.Format.of(RescoreMain.value(a, "--format", "parquet"));
        } catch (IllegalArgumentException e) {
            System.err.println("prt export: " + e.getMessage());
            return 2;
        }
        // SWE-bench instances are made of verified traces only
        ExportSelection.Filters filters = new ExportSelection.Filters(a.contains("--verified-only") || format == ExportFiles.Format.SWEBENCH,
                rubric,
                minScore == null ? null : Double.valueOf(minScore), RescoreMain.value(a, "--consent-scope", null),
                RescoreMain.value(a, "--task", null), RescoreMain.time(RescoreMain.value(a, "--from", null)),
                RescoreMain.time(RescoreMain.value(a, "--to", null)));
        LinkedHashMap<String, Double> splits = new LinkedHashMap<>();
        for (String s : RescoreMain.value(a, "--splits", "train=0.8,validation=0.1,test=0.1").split(",")) {
            String[] kv = s.split("=", 2);
            if (kv.length != 2 || !kv[0].matches("[a-z][a-z0-9_]*")) {
                System.err.println("prt export: --splits wants name=fraction,… (e.g. train=0.8,test=0.2), not " + s);
                return 2;
            }
            splits.put(kv[0], Double.valueOf(kv[1]));
        }
        if (StackMain.runningStack(data).isEmpty()) {
            System.err.println("prt export: start the stack first (./prt up)");
            return 1;
        }
        StackConfig stack = StackConfig.fromEnv(data, Path.of(System.getProperty("prt.root", ".")), System.getenv());
        String jdbc = stack.externalJdbcUrl() != null ? stack.externalJdbcUrl()
                : "jdbc:postgresql://127.0.0.1:" + stack.postgresPort() + "/postgres";
        String s3 = stack.externalS3Endpoint() != null ? stack.externalS3Endpoint() : "http://127.0.0.1:" + stack.s3Port();
        Map<String, String> env = new HashMap<>(stack.jobEnv());
        env.putIfAbsent("PRT_DOCUMENTS_URI", "s3://" + stack.s3Bucket());
        FlinkFileSystems.initialize(stack.pluginsDir(), s3, stack.s3AccessKey(), stack.s3SecretKey());
        String artifacts = env.getOrDefault("PRT_ARTIFACTS_URI", env.get("PRT_DOCUMENTS_URI"));
        ExportJob.Stores stores = new ExportJob.Stores(jdbc, stack.jdbcUser(), stack.jdbcPassword(), artifacts);

        List<String> shown = new ArrayList<>(a);
        int d = shown.indexOf("--data");
        if (d >= 0) {
            shown.subList(d, Math.min(shown.size(), d + 2)).clear();
        }
        int rowsPerFile = Integer.parseInt(RescoreMain.value(a, "--rows-per-file", "1000"));
        if (rowsPerFile < 1 || splits.values().stream().anyMatch(f -> !(f > 0))) {
            System.err.println("prt export: --rows-per-file and every split's fraction must be positive");
            return 2;
        }
        Export.Options options = new Export.Options(Path.of(outArg), format, filters,
                Long.parseLong(RescoreMain.value(a, "--seed", "42")), splits,
                rowsPerFile, "./prt export " + String.join(" ", shown));
        Configuration conf = new Configuration();
        Path tmp = Files.createDirectories(data.resolve("flink-tmp"));
        conf.setString("io.tmp.dirs", tmp.toString());
        conf.setString("rest.bind-port", "0");
        int parallelism = Integer.parseInt(RescoreMain.value(a, "--parallelism", String.valueOf(Math.max(2,
                Runtime.getRuntime().availableProcessors()))));
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        Instant started = Instant.now();
        ObjectNode manifest;
        try {
            manifest = Export.run(flink, options, stores);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("prt export: " + e.getMessage());
            return 1;
        }
        double wall = Duration.between(started, Instant.now()).toMillis() / 1000.0;
        long bytes = 0;
        for (JsonNode f : manifest.get("files")) {
            bytes += f.get("bytes").asLong();
            System.out.printf("  %-44s %8d rows %12d bytes  sha256 %s%n", f.get("path").asText(), f.get("rows").asLong(),
                    f.get("bytes").asLong(), f.get("sha256").asText().substring(0, 16));
        }
        long rows = manifest.get("rows").asLong();
        System.out.printf("prt export: %d traces in %d files (%s), %.1f MB, in %.1f s (%.1f traces/s, %.1f MB/s) → %s%n", rows,
                manifest.get("files").size(), format.label, bytes / 1e6, wall, rows / Math.max(wall, 0.001),
                bytes / 1e6 / Math.max(wall, 0.001), Path.of(outArg).toAbsolutePath());
        for (JsonNode l : manifest.get("left_out")) {
            System.out.printf("  left out %s: %s%n", l.get("trace_id").asText(), l.get("reason").asText());
        }
        System.out.println("prt export: export " + manifest.get("export_id").asLong() + "; check it with ./prt verify --export "
                + outArg);
        if (format == ExportFiles.Format.SWEBENCH && manifest.get("files").size() > 0) {
            System.out.println("prt export: evaluate the instances with ./prt qa swebench " + Path.of(outArg).resolve(
                    manifest.get("files").get(0).get("path").asText()) + " --repos " + Path.of(outArg).resolve("repos"));
        }
        return 0;
    }
}
