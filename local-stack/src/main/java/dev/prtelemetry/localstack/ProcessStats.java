package dev.prtelemetry.localstack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** CPU time and memory of the stack's processes, from /proc (Linux). */
final class ProcessStats {
    private static final double TICKS = 100.0; // USER_HZ on Linux

    private ProcessStats() {
    }

    /** name → {utime+stime ticks, RSS MiB} for the stack's processes (per kind, summed: gateways, PostgreSQL, the cluster's) and this one. */
    static Map<String, long[]> cpuTicks(Path data) throws IOException {
        Map<String, long[]> out = new HashMap<>();
        long stackPid = StackMain.runningStack(data).map(ProcessHandle::pid).orElse(-1L);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                String cmd;
                try {
                    cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                } catch (IOException e) {
                    continue;
                }
                boolean cluster = Files.isRegularFile(data.resolve(ClusterStack.STATE_FILE));
                String name = pid == stackPid ? (cluster ? "cluster supervisor (gateway balancer)" : "stack (Kafka, Flink, S3)")
                        : pid == ProcessHandle.current().pid() ? "load generator"
                        : cmd.contains("prt-gateway.jar") ? "gateway"
                        : cmd.startsWith("postgres") || cmd.contains("/bin/postgres") ? "postgresql"
                        // the cluster's processes (./prt up --cluster), summed per kind
                        : !cluster ? null
                        : cmd.contains(" kafka.Kafka ") ? "kafka (3 nodes)"
                        : cmd.contains("TaskManagerRunner") ? "flink taskmanagers"
                        : cmd.contains("StandaloneSessionClusterEntrypoint") ? "flink jobmanager"
                        : cmd.contains(S3Main.class.getName()) ? "s3 store" : null;
                if (name == null) {
                    continue;
                }
                long[] ticks = ticks(p);
                long[] sum = out.computeIfAbsent(name, k -> new long[] {0, 0});
                sum[0] += ticks[0];
                sum[1] += ticks[1] / 1024; // RSS in MiB, summed
            }
        }
        return out;
    }

    private static long[] ticks(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long rssKb = 0;
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                rssKb = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return new long[] {cpu, rssKb};
    }

    static ObjectNode report(Map<String, long[]> before, Map<String, long[]> after, double wallSeconds, Path data) {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        after.forEach((name, a) -> {
            long[] b = before.getOrDefault(name, new long[] {0, 0});
            ObjectNode n = out.putObject(name);
            n.put("cpu_cores", Math.round((a[0] - b[0]) / TICKS / wallSeconds * 100) / 100.0);
            n.put("rss_mib", a[1]);
        });
        return out;
    }
}
