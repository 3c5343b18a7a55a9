package dev.prtelemetry.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway in its own JVM (its Netty, Jackson and logging differ from the Flink side's),
 * started from its jar with the stack's addresses in {@code PRT_*} variables. It watches this
 * process and exits if it dies, so no gateway outlives its stack.
 */
public final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final String url;

    private GatewayProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public static GatewayProcess start(Path jar, int port, Map<String, String> env, Path log) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no gateway jar at " + jar + " (mvn -pl ingest-gateway package builds it)");
        }
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions(env));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("PRT_GATEWAY_PORT", String.valueOf(port));
        pb.environment().put("PRT_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        Process process = pb.start();
        String url = "http://127.0.0.1:" + port;
        GatewayProcess gateway = new GatewayProcess(process, url);
        gateway.awaitHealthy(Duration.ofSeconds(60), log);
        return gateway;
    }

    /** The gateway JVM's options: {@code PRT_GATEWAY_JAVA_OPTS} (space-separated), else {@link #DEFAULT_JAVA_OPTS}. */
    static List<String> javaOptions(Map<String, String> env) {
        String opts = env.getOrDefault("PRT_GATEWAY_JAVA_OPTS", System.getenv().getOrDefault("PRT_GATEWAY_JAVA_OPTS", DEFAULT_JAVA_OPTS));
        return java.util.Arrays.stream(opts.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
    }

    static final String DEFAULT_JAVA_OPTS = "-Xmx512m -XX:+UseSerialGC";

    private void awaitHealthy(Duration timeout, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("the gateway did not become ready in " + timeout.toSeconds() + " s; see " + log);
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
