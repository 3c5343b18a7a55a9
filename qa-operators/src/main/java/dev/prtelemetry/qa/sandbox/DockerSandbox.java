package dev.prtelemetry.qa.sandbox;

import dev.prtelemetry.schemas.tests.Signals;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The Docker sandbox (docker-java over the Engine API): one container per run from a
 * configured image, no network, a non-root user, a read-only root filesystem with a fresh
 * writable copy of the workspace and a size-limited tmpfs {@code /tmp}, every capability
 * dropped, no-new-privileges, CPU, memory (no swap), pids and file-size limits, a wall-clock
 * timeout (then the container is killed), and the container removed afterwards in every case.
 * The workspace copy and the output folder are bind mounts, so the Docker engine must share
 * this machine's filesystem (a worker with a local engine).
 */
public final class DockerSandbox implements Sandbox {
    private static final long MAX_OUTPUT = 4L << 20;

    private final DockerClient docker;
    private final String image;
    private final String user;

    public DockerSandbox(DockerClient docker, String image, String user) {
        this.docker = docker;
        this.image = image;
        this.user = user;
    }

    /** A client for {@code host} (e.g. unix:///var/run/docker.sock or tcp://127.0.0.1:2375). */
    public static DockerClient client(String host) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig()).connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofMinutes(30))
                .maxConnections(16).build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** The sandbox when an engine answers at {@code host}; null otherwise. */
    public static DockerSandbox detect(String host, String image) {
        try {
            DockerClient c = client(host);
            c.pingCmd().exec();
            return new DockerSandbox(c, image, "65534:65534");
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public String kind() {
        return "docker";
    }

    /** The host configuration every run gets (exposed so tests can read what is asked of the engine). */
    public HostConfig hostConfig(Path work, Path outDir, Limits limits) {
        return hostConfig(work, outDir, limits, List.of());
    }

    public HostConfig hostConfig(Path work, Path outDir, Limits limits, List<Mount> readOnly) {
        List<Bind> binds = new ArrayList<>(List.of(new Bind(work.toAbsolutePath().toString(), new Volume(WORK)),
                new Bind(outDir.toAbsolutePath().toString(), new Volume(OUT))));
        readOnly.forEach(m -> binds.add(new Bind(m.host().toAbsolutePath().toString(), new Volume(m.inside()), AccessMode.ro)));
        return HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes())
                .withNanoCPUs(1_000_000_000L)
                .withPidsLimit(limits.pids())
                .withUlimits(List.of(new Ulimit("fsize", limits.fileSizeBytes(), limits.fileSizeBytes()),
                        new Ulimit("cpu", limits.cpuSeconds(), limits.cpuSeconds()),
                        new Ulimit("core", 0L, 0L)))
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + limits.tmpBytes()))
                .withBinds(binds)
                .withAutoRemove(false);
    }

    @Override
    public Result run(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir,
                      List<Mount> readOnly) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("prt-docker-work");
        copy(workspace, work);
        NamespaceSandbox.makeReadable(work);
        work.toFile().setWritable(true, false);
        Files.setPosixFilePermissions(outDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> all = new TreeMap<>(DETERMINISTIC_ENV);
        all.putAll(env);
        List<String> envList = new ArrayList<>();
        all.forEach((k, v) -> envList.add(k + "=" + v));
        String name = "prt-sandbox-" + UUID.randomUUID();
        long t0 = System.nanoTime();
        String id = null;
        try {
            CreateContainerResponse created = docker.createContainerCmd(image).withName(name).withUser(user)
                    .withCmd(command).withEnv(envList).withWorkingDir(WORK).withNetworkDisabled(true)
                    .withLabels(Map.of("dev.prtelemetry.sandbox", "1")).withHostConfig(hostConfig(work, outDir, limits, readOnly)).exec();
            id = created.getId();
            docker.startContainerCmd(id).exec();
            Integer exit;
            boolean timedOut = false;
            try (WaitContainerResultCallback wait = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())) {
                exit = wait.awaitStatusCode(limits.wallTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                if (!isTimeout(e)) {
                    throw e;
                }
                timedOut = true;
                exit = null;
                docker.killContainerCmd(id).exec();
            }
            String logs = logs(id);
            String signal = null;
            if (!timedOut) {
                InspectContainerResponse state = docker.inspectContainerCmd(id).exec();
                if (Boolean.TRUE.equals(state.getState().getOOMKilled())) {
                    signal = "KILL";
                    exit = null;
                }
            }
            if (exit != null && Signals.ofExitCode(exit) != null) {
                signal = Signals.ofExitCode(exit);
            }
            return new Result(exit, timedOut, timedOut ? "KILL" : signal, logs, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            if (id != null) {
                try {
                    docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
                } catch (RuntimeException e) {
                    // already gone
                }
            }
            NamespaceSandbox.deleteTree(work);
        }
    }

    static boolean isTimeout(RuntimeException e) {
        return e.getClass().getSimpleName().contains("Timeout") || String.valueOf(e.getMessage()).contains("timeout")
                || String.valueOf(e.getMessage()).contains("Awaiting status code timeout");
    }

    private String logs(String id) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                if (out.length() < MAX_OUTPUT) {
                    out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
            }
        };
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(false).exec(cb).awaitCompletion(30, TimeUnit.SECONDS);
        return out.toString();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
