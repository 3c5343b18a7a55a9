package dev.prtelemetry.localstack;

import dev.prtelemetry.flink.job.JobConfig;
import dev.prtelemetry.flink.qa.RescoreJob;
import dev.prtelemetry.qa.judging.Judges;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./prt rescore --rubric debugging@2 --judge heuristic [--from DATE] [--to DATE] [--local]}: re-scores
 * the running stack's assembled traces with a BATCH Flink job (a bounded replay of
 * {@code prt.traces-assembled}) submitted to the stack's Flink cluster (the embedded one's REST
 * endpoint, or {@code PRT_FLINK_REST}; {@code --local}: a Flink of its own in this process),
 * prints progress, then a summary: traces scored, and the mean score shift per dimension
 * against the rubric's previous version by the same judge.
 */
public final class RescoreMain {
    private RescoreMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        Path data = Path.of(value(a, "--data", ".prt-data")).toAbsolutePath();
        List<String> rubrics = List.of(value(a, "--rubric", "debugging@2").split(","));
        List<String> judgeNames = List.of(value(a, "--judge", "heuristic").split(","));
        Long from = time(value(a, "--from", null));
        Long to = time(value(a, "--to", null));
        if (StackMain.runningStack(data).isEmpty()) {
            System.err.println("prt rescore: start the stack first (./prt up)");
            System.exit(1);
        }
        StackConfig stack = StackConfig.fromEnv(data, Path.of(System.getProperty("prt.root", ".")), System.getenv());
        String kafka = stack.externalKafka() != null ? stack.externalKafka() : "127.0.0.1:" + stack.kafkaPort();
        String jdbc = stack.externalJdbcUrl() != null ? stack.externalJdbcUrl()
                : "jdbc:postgresql://127.0.0.1:" + stack.postgresPort() + "/postgres";
        String s3 = stack.externalS3Endpoint() != null ? stack.externalS3Endpoint() : "http://127.0.0.1:" + stack.s3Port();
        Map<String, String> env = new HashMap<>(stack.jobEnv());
        env.put("PRT_KAFKA_BOOTSTRAP", kafka);
        env.put("PRT_JDBC_URL", jdbc);
        env.put("PRT_JDBC_USER", stack.jdbcUser());
        env.put("PRT_JDBC_PASSWORD", stack.jdbcPassword());
        env.putIfAbsent("PRT_DOCUMENTS_URI", "s3://" + stack.s3Bucket());
        JobConfig job = JobConfig.fromEnv(env);
        FlinkFileSystems.initialize(stack.pluginsDir(), s3, stack.s3AccessKey(), stack.s3SecretKey());
        List<String> judgeIds = judgeNames.stream().map(j -> Judges.create(j, null, null, "OPENAI_API_KEY", System.getenv()).id()).toList();
        List<String> rubricKeys = rubrics.stream().map(r -> Rubric.load(r).key()).toList();

        Configuration conf = new Configuration();
        StreamExecutionEnvironment flink;
        if (a.contains("--local")) {
            // a Flink of its own in this process (the stack's cluster is not used)
            Path tmp = Files.createDirectories(data.resolve("flink-tmp"));
            conf.setString("io.tmp.dirs", tmp.toString());
            conf.setString("rest.bind-port", "0");
            flink = StreamExecutionEnvironment.createLocalEnvironment(job.parallelism(), conf);
        } else {
            // the job goes to the Flink cluster running the pipeline (embedded or PRT_FLINK_REST), warm and beside its data
            String rest = LocalStack.flinkRest(stack);
            System.out.printf("prt rescore: submitting to the Flink cluster at %s (--local runs one in this process)%n", rest);
            flink = stack.flinkRest() != null ? LocalStack.remoteEnvironment(rest, conf, stack.flinkJobJar())
                    // the embedded cluster runs on this classpath already: no job jar (its Kafka classes would clash with the broker's)
                    : StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", stack.flinkRestPort(), conf);
        }
        RescoreJob.define(flink, job, judgeNames, rubrics, from, to);
        Instant started = Instant.now();
        System.out.printf("prt rescore: %s with %s over prt.traces-assembled%s%s%n", rubricKeys, judgeIds,
                from == null ? "" : " from " + Instant.ofEpochMilli(from), to == null ? "" : " to " + Instant.ofEpochMilli(to));
        JobClient client = flink.executeAsync("prt-rescore");
        try (Connection c = DriverManager.getConnection(jdbc, stack.jdbcUser(), stack.jdbcPassword())) {
            var result = client.getJobExecutionResult(); // the embedded cluster ends with the job
            long lastSaid = System.nanoTime();
            while (!result.isDone()) {
                Thread.sleep(100);
                if (System.nanoTime() - lastSaid > 2_000_000_000L && !result.isDone()) {
                    System.out.printf("prt rescore: %d judgements written so far%n", count(c, rubricKeys, judgeIds, started));
                    lastSaid = System.nanoTime();
                }
            }
            result.get();
            long written = count(c, rubricKeys, judgeIds, started);
            double wall = (Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0;
            System.out.printf("prt rescore: done in %.1f s: %d new judgements (%.0f/s); keys already stored were skipped%n",
                    wall, written, written / Math.max(wall, 0.001));
            for (String r : rubricKeys) {
                Rubric rubric = Rubric.load(r);
                if (rubric.version() < 2) {
                    continue;
                }
                String previous = rubric.id() + "@" + (rubric.version() - 1);
                for (String j : judgeIds) {
                    shift(c, rubric, previous, j);
                }
            }
        }
        System.exit(0);
    }

    static long count(Connection c, List<String> rubrics, List<String> judges, Instant since) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM qa_judgements WHERE rubric = ANY (?) AND judge = ANY (?)"
                + " AND created_at >= ?")) {
            ps.setArray(1, c.createArrayOf("text", rubrics.toArray()));
            ps.setArray(2, c.createArrayOf("text", judges.toArray()));
            ps.setTimestamp(3, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Mean score change per dimension from the previous rubric version to this one, same judge, same traces. */
    static void shift(Connection c, Rubric rubric, String previous, String judge) throws Exception {
        StringBuilder sql = new StringBuilder("SELECT count(*), avg(n.overall - o.overall)");
        for (Rubric.Dimension d : rubric.dimensions()) {
            sql.append(", avg((n.scores->'").append(d.id()).append("'->>'score')::int - (o.scores->'").append(d.id())
                    .append("'->>'score')::int)");
        }
        sql.append(" FROM qa_judgements n JOIN qa_judgements o ON o.trace_digest = n.trace_digest AND o.judge = n.judge")
                .append(" WHERE n.rubric = ? AND o.rubric = ? AND n.judge = ? AND n.overall IS NOT NULL AND o.overall IS NOT NULL");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setString(1, rubric.key());
            ps.setString(2, previous);
            ps.setString(3, judge);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    System.out.printf("prt rescore: no trace has both %s and %s by %s yet%n", previous, rubric.key(), judge);
                    return;
                }
                System.out.printf("prt rescore: %s → %s by %s over %d traces: overall %+.3f%n", previous, rubric.key(), judge,
                        rs.getLong(1), rs.getDouble(2));
                int i = 3;
                for (Rubric.Dimension d : rubric.dimensions()) {
                    System.out.printf("    %-22s %+.3f (weight %.2f)%n", d.id(), rs.getDouble(i++), d.weight());
                }
            }
        }
    }

    static Long time(String s) {
        if (s == null) {
            return null;
        }
        return s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() : Instant.parse(s).toEpochMilli();
    }

    static String value(List<String> args, String name, String def) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : def;
    }
}
