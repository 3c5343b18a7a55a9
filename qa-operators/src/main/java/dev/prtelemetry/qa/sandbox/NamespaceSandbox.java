package dev.prtelemetry.qa.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A sandbox from Linux namespaces, for machines without Docker: bubblewrap with every namespace
 * unshared (no network but a loopback that is down, its own PID namespace so every child dies
 * with it), the host's filesystem read-only, a size-limited tmpfs holding a copy of the
 * workspace and {@code /tmp}, a memory cgroup where one can be made ({@link MemoryCgroup}:
 * memory used, and processes), {@code prlimit} for CPU time, address space, processes and file
 * size, a wall-clock timeout that kills the whole tree. Run as root, the command first drops
 * to {@code nobody} (setpriv), so host files keep their real permissions ({@code /root},
 * {@code /etc/shadow} stay unreadable); run as a user, it stays that user.
 */
public final class NamespaceSandbox implements Sandbox {
    static final int NOBODY = 65534;
    private static final long MAX_OUTPUT = 4L << 20;
    /** Address space allowed per byte of the memory limit when a cgroup limits memory itself. */
    static final long CGROUP_ADDRESS_SPACE_FACTOR = 16;
    /** ... and when only the address-space limit stands for it. */
    static final long ADDRESS_SPACE_FACTOR = 4;

    private final String bwrap;

    public NamespaceSandbox(String bwrap) {
        this.bwrap = bwrap;
    }

    /** The sandbox when bubblewrap is installed and works here; otherwise null. */
    public static NamespaceSandbox detect() {
        for (String candidate : List.of("/usr/bin/bwrap", "/usr/local/bin/bwrap")) {
            if (Files.isExecutable(Path.of(candidate))) {
                NamespaceSandbox s = new NamespaceSandbox(candidate);
                try {
                    Path probe = Files.createTempDirectory("prt-sandbox-probe");
                    Path out = Files.createTempDirectory("prt-sandbox-probe-out");
                    Result r = s.run(probe, List.of("true"), Map.of(), Limits.defaults().withWallTimeout(java.time.Duration.ofSeconds(20)), out);
                    deleteTree(probe);
                    deleteTree(out);
                    if (Integer.valueOf(0).equals(r.exitCode())) {
                        return s;
                    }
                } catch (IOException | InterruptedException e) {
                    // not usable here
                }
            }
        }
        return null;
    }

    @Override
    public String kind() {
        return "namespace";
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The full command line (exposed for tests and for the verdict's record of what ran). */
    public List<String> commandLine(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir) {
        return commandLine(workspace, command, env, limits, outDir, null);
    }

    /**
     * With a memory cgroup, memory is limited by what the run uses (the group) and the address
     * space only loosely ({@link #CGROUP_ADDRESS_SPACE_FACTOR} times, against runaway mappings);
     * without one, by address space at {@link #ADDRESS_SPACE_FACTOR} times the memory limit, since
     * real runtimes reserve far more virtual memory than they touch.
     */
    List<String> commandLine(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir,
                             MemoryCgroup cgroup) {
        List<String> cmd = new ArrayList<>();
        if (cgroup != null) {
            cmd.addAll(cgroup.joinCommand());
        }
        if (isRoot()) {
            cmd.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        long addressSpace = limits.memoryBytes() * (cgroup != null ? CGROUP_ADDRESS_SPACE_FACTOR : ADDRESS_SPACE_FACTOR);
        cmd.addAll(List.of("prlimit", "--cpu=" + limits.cpuSeconds(), "--as=" + addressSpace,
                "--nproc=" + limits.pids(), "--fsize=" + limits.fileSizeBytes(), "--core=0", "--"));
        cmd.addAll(List.of(bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--size", String.valueOf(limits.tmpBytes()), "--tmpfs", "/tmp",
                "--ro-bind", workspace.toAbsolutePath().toString(), "/tmp/src",
                "--bind", outDir.toAbsolutePath().toString(), OUT,
                "--size", String.valueOf(limits.workspaceBytes()), "--tmpfs", WORK,
                "--chdir", WORK, "--clearenv"));
        Map<String, String> all = new TreeMap<>(DETERMINISTIC_ENV);
        all.putAll(env);
        all.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        // copy the workspace in (the copy is what the tests may change), then become the command
        cmd.addAll(List.of("--", "/bin/sh", "-c", "cp -R /tmp/src/. " + WORK + "/ && exec \"$@\"", "prt-sandbox"));
        cmd.addAll(command);
        return cmd;
    }

    @Override
    public Result run(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir)
            throws IOException, InterruptedException {
        if (isRoot()) {
            // nobody must be able to read the workspace and write the output folder
            Files.setPosixFilePermissions(outDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            makeReadable(workspace);
        }
        try (MemoryCgroup cgroup = MemoryCgroup.create(limits.memoryBytes(), limits.pids())) {
            return run(commandLine(workspace, command, env, limits, outDir, cgroup), limits, cgroup);
        }
    }

    /** How memory is limited here: "cgroup" (what the run uses) or "address-space" (virtual memory, looser). */
    public static String memoryControl(Limits limits) {
        try (MemoryCgroup cgroup = MemoryCgroup.create(limits.memoryBytes(), limits.pids())) {
            return cgroup != null ? "cgroup" : "address-space";
        }
    }

    private Result run(List<String> commandLine, Limits limits, MemoryCgroup cgroup) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(commandLine).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> capture(p.getInputStream(), out));
        reader.start();
        boolean finished = p.waitFor(limits.wallTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            killTree(p);
        }
        reader.join(5_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        if (!finished) {
            return new Result(null, true, "KILL", text, ms);
        }
        int exit = p.exitValue();
        String signal = Signals.ofExitCode(exit);
        if (cgroup != null && cgroup.oomKilled()) {
            text += "\nprt sandbox: the run reached its memory limit (" + (limits.memoryBytes() >> 20) + " MiB) and was killed\n";
            signal = signal == null ? "KILL" : signal;
        }
        return new Result(exit, false, signal, text, ms);
    }

    /** Kills the sandbox and everything under it (the PID namespace's init takes the rest with it). */
    static void killTree(Process p) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        all.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 10_000;
        for (ProcessHandle h : all) {
            while (h.isAlive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    private static void capture(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (out) {
                    if (out.size() < MAX_OUTPUT) {
                        out.write(buf, 0, (int) Math.min(n, MAX_OUTPUT - out.size()));
                    }
                }
            }
        } catch (IOException e) {
            // the sandbox is gone
        }
    }

    /**
     * Makes the workspace readable by {@code nobody} (its files and folders only: the folders
     * above it must already be passable — keep workspaces under a temporary folder, never in
     * an owner-only home).
     */
    static void makeReadable(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                var perms = Files.getPosixFilePermissions(p);
                perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
                if (Files.isDirectory(p)) {
                    perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                }
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
