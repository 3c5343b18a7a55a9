package dev.prtelemetry.localstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One process of the cluster, started from a command line and watched: if it exits while it
 * should run (a crash, a {@code kill -9}), the supervisor starts it again with the same command,
 * as a process manager (systemd, a Kubernetes kubelet) would. Its health is a probe of what it
 * serves: an HTTP URL that must answer 200, or a TCP port that must accept connections.
 */
public final class Supervised {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final String healthUrl;
    private final int port;
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile Process process;
    private volatile boolean wanted;

    /**
     * @param healthUrl an HTTP URL answering 200 when the process serves, or null to probe {@code port}
     * @param port the port it serves on (what the status lists and, without a URL, what is probed)
     */
    public Supervised(String name, List<String> command, Map<String, String> env, Path log, String healthUrl, int port) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.log = log;
        this.healthUrl = healthUrl;
        this.port = port;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String healthUrl() {
        return healthUrl;
    }

    public Path log() {
        return log;
    }

    public int restarts() {
        return restarts.get();
    }

    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Starts the process (appending to its log) and marks it as one to keep running. */
    public synchronized void start() throws IOException {
        if (alive()) {
            return;
        }
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        process = pb.start();
        wanted = true;
    }

    /** Waits until the health probe passes; fails early if the process exits (naming its log). */
    public void awaitHealthy(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p != null && !p.isAlive() && !wanted) {
                throw new IllegalStateException(name + " is stopped");
            }
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + "; see " + log);
            }
            if (healthy()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " was not healthy within " + timeout.toSeconds() + " s; see " + log);
    }

    /** The probe, once. */
    public boolean healthy() {
        return alive() && probe(healthUrl, port);
    }

    /** Probes what a process serves: the URL answers 200, or (no URL) the port accepts a connection. */
    public static boolean probe(String healthUrl, int port) {
        try {
            if (healthUrl != null) {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(healthUrl)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return r.statusCode() == 200;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Called by the supervisor's loop: if the process should run and has exited, starts it again.
     * Returns true if it did.
     */
    public synchronized boolean restartIfDead() throws IOException {
        Process p = process;
        if (!wanted || p == null || p.isAlive()) {
            return false;
        }
        restarts.incrementAndGet();
        process = null;
        start();
        return true;
    }

    /** {@code kill -9}: the process dies without a chance to clean up (the supervisor restarts it). */
    public void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops it for good (SIGTERM, then SIGKILL after {@code grace}); the supervisor leaves it stopped. */
    public synchronized void stop(Duration grace) {
        wanted = false;
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
