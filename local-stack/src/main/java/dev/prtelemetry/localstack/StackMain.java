package dev.prtelemetry.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./prt up [--fresh] [--data DIR]} — starts the stack and keeps it running until Ctrl-C
 * or {@code ./prt down}; {@code ./prt down [--data DIR]} — stops the stack using that folder.
 */
public final class StackMain {
    static final String PID_FILE = "stack.pid";

    private StackMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        String command = rest.isEmpty() ? "up" : rest.remove(0);
        Path data = Path.of(option(rest, "--data").orElse(System.getenv().getOrDefault("PRT_DATA_DIR", ".prt-data")))
                .toAbsolutePath();
        Path root = Path.of(System.getProperty("prt.root", ".")).toAbsolutePath().normalize();
        int code = switch (command) {
            case "up" -> rest.contains("--cluster") ? upCluster(data, root, rest.contains("--fresh"))
                    : up(data, root, rest.contains("--fresh"));
            case "down" -> down(data);
            case "status" -> status(data);
            default -> {
                System.err.println("usage: prt up [--cluster] [--fresh] [--data DIR] | prt down [--data DIR] | prt status");
                yield 2;
            }
        };
        System.exit(code);
    }

    static int up(Path data, Path root, boolean fresh) throws Exception {
        return run(data, fresh, () -> {
            LocalStack stack = LocalStack.start(StackConfig.fromEnv(data, root, System.getenv()));
            System.out.println("prt: gateway      " + stack.gatewayUrl() + "  (API: " + stack.gatewayUrl() + "/openapi.yml)");
            System.out.println("prt: data         " + data);
            System.out.println("prt: researcher   token in " + data.resolve("researcher.token") + " (mode 600)");
            System.out.println("prt: Kafka " + stack.kafkaBootstrap() + " · PostgreSQL " + stack.jdbcUrl()
                    + " · S3 " + stack.s3Endpoint() + " · Flink REST " + stack.flinkRest());
            return stack;
        });
    }

    /** {@code ./prt up --cluster}: every part its own process ({@link ClusterStack}), supervised by this one. */
    static int upCluster(Path data, Path root, boolean fresh) throws Exception {
        return run(data, fresh, () -> {
            ClusterStack stack = ClusterStack.start(StackConfig.fromEnv(data, root, System.getenv()), System.getenv());
            System.out.println("prt: gateway      " + stack.gatewayUrl() + "  (two instances behind it: "
                    + stack.ports().gateways() + ")");
            System.out.println("prt: data         " + data);
            System.out.println("prt: researcher   token in " + data.resolve("researcher.token") + " (mode 600)");
            System.out.println("prt: Kafka " + stack.kafkaBootstrap() + " · PostgreSQL " + stack.jdbcUrl()
                    + " · S3 " + stack.s3Endpoint() + " · Flink REST " + stack.flinkRest() + " (job " + stack.jobId() + ")");
            System.out.println("prt: ./prt status lists the processes and their health");
            return stack;
        });
    }

    interface Starter {
        AutoCloseable start() throws Exception;
    }

    private static int run(Path data, boolean fresh, Starter starter) throws Exception {
        Optional<ProcessHandle> running = runningStack(data);
        if (running.isPresent()) {
            System.err.println("prt: a stack is already running on " + data + " (pid " + running.get().pid()
                    + "); stop it with ./prt down");
            return 1;
        }
        if (fresh && Files.exists(data)) {
            deleteTree(data);
            System.out.println("prt: --fresh: removed " + data);
        }
        Files.createDirectories(data);
        Path pidFile = data.resolve(PID_FILE);
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");

        CountDownLatch stopped = new CountDownLatch(1);
        AutoCloseable[] stack = new AutoCloseable[1];
        Thread hook = new Thread(() -> {
            System.out.println("prt: stopping…");
            if (stack[0] != null) {
                try {
                    stack[0].close();
                } catch (Exception e) {
                    System.err.println("prt: stopping: " + e.getMessage());
                }
            }
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                // nothing more to do on the way out
            }
            System.out.println("prt: stopped");
            stopped.countDown();
        }, "prt-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stack[0] = starter.start();
        } catch (Exception e) {
            System.err.println("prt: the stack did not start: " + e.getMessage());
            return 1; // the hook stops what did start
        }
        System.out.println("prt: Ctrl-C or ./prt down stops everything");
        stopped.await();
        return 0;
    }

    static int down(Path data) throws Exception {
        Optional<ProcessHandle> running = runningStack(data);
        if (running.isEmpty()) {
            int leftovers = killLeftovers(data);
            System.out.println(leftovers > 0 ? "prt: the supervisor was gone; stopped " + leftovers + " cluster processes it left"
                    : "prt: no stack is running on " + data);
            return 0;
        }
        ProcessHandle p = running.get();
        p.destroy(); // SIGTERM: the stack's shutdown hook stops every piece
        if (!p.onExit().toCompletableFuture().completeOnTimeout(null, 60, TimeUnit.SECONDS).thenApply(x -> !p.isAlive()).get()) {
            System.err.println("prt: the stack (pid " + p.pid() + ") did not stop within 60 s; killing it");
            p.destroyForcibly();
        }
        killLeftovers(data);
        System.out.println("prt: stopped the stack (pid " + p.pid() + ")");
        return 0;
    }

    /** Cluster processes whose supervisor died without stopping them (kill -9), from cluster.json: stopped now. */
    static int killLeftovers(Path data) throws IOException {
        Path state = data.resolve(ClusterStack.STATE_FILE);
        if (!Files.isRegularFile(state)) {
            return 0;
        }
        int n = 0;
        for (var p : dev.prtelemetry.schemas.json.StrictJson.parse(Files.readAllBytes(state)).path("processes")) {
            long pid = p.path("pid").asLong(-1);
            if (pid > 0 && pid != ProcessHandle.current().pid() && !p.path("name").asText().equals("gateway-balancer")) {
                Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
                if (h.isPresent()) {
                    h.get().destroy();
                    h.get().onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).join();
                    if (h.get().isAlive()) {
                        h.get().destroyForcibly();
                    }
                    n++;
                }
            }
        }
        Files.deleteIfExists(state);
        return n;
    }

    static int status(Path data) throws IOException {
        Optional<ProcessHandle> running = runningStack(data);
        Path state = data.resolve(ClusterStack.STATE_FILE);
        if (running.isPresent() && Files.isRegularFile(state)) {
            System.out.println("prt: cluster running (supervisor pid " + running.get().pid() + ") on " + data);
            System.out.printf("%-20s %8s %6s %9s  %-8s %s%n", "PROCESS", "PID", "PORT", "RESTARTS", "HEALTH", "PROBE");
            int unhealthy = 0;
            for (var p : dev.prtelemetry.schemas.json.StrictJson.parse(Files.readAllBytes(state)).path("processes")) {
                long pid = p.path("pid").asLong(-1);
                boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                String url = p.hasNonNull("health") ? p.get("health").asText() : null;
                int port = p.path("port").asInt();
                boolean healthy = alive && Supervised.probe(url, port);
                unhealthy += healthy ? 0 : 1;
                System.out.printf("%-20s %8d %6d %9d  %-8s %s%n", p.path("name").asText(), pid, port, p.path("restarts").asInt(),
                        healthy ? "ok" : alive ? "UNHEALTHY" : "DOWN", url != null ? url : "tcp 127.0.0.1:" + port);
            }
            return unhealthy == 0 ? 0 : 1;
        }
        System.out.println(running.map(p -> "prt: running (pid " + p.pid() + ") on " + data)
                .orElse("prt: not running on " + data));
        return running.isPresent() ? 0 : 1;
    }

    static Optional<ProcessHandle> runningStack(Path data) throws IOException {
        Path pidFile = data.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("java")).orElse(true));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> option(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i >= 0 && i + 1 < args.size()) {
            String v = args.get(i + 1);
            args.remove(i + 1);
            args.remove(i);
            return Optional.of(v);
        }
        return Optional.empty();
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
