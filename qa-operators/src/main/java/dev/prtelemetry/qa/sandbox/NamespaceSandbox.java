package dev.prtelemetry.qa.sandbox;

import dev.prtelemetry.schemas.tests.Signals;
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
 * A sandbox from Linux namespaces, for machines without Docker, built by one of two tools:
 * <ul>
 * <li><b>bubblewrap</b> when installed: every namespace unshared (no network but a loopback of its
 * own, its own PID namespace so every child dies with it), the host's filesystem read-only;</li>
 * <li><b>util-linux</b> otherwise ({@code unshare}, {@code setpriv}, {@code prlimit}, on every
 * Linux machine): {@code unshare} makes the user (when not root), mount, PID, network, IPC and UTS
 * namespaces (killed with the verifier: {@code setpriv --pdeathsig}); a small script brings the new
 * network namespace's loopback up (tests talk to their own local servers) and builds a new root — the host's {@code /usr}, {@code /etc},
 * {@code /opt}, {@code /var}, {@code /srv} bound read-only (not {@code /root}, {@code /home} or the
 * rest), a few device nodes, a fresh {@code /proc} — and {@code pivot_root}s into it, then drops
 * to {@code nobody} (as root) or back to the caller's own uid in a nested user namespace (as a
 * user), with no-new-privileges.</li>
 * </ul>
 * Both give the command a size-limited tmpfs holding a copy of the workspace and {@code /tmp},
 * read-only dependency caches under {@link Sandbox#DEPS}, a memory cgroup where one can be made
 * ({@link MemoryCgroup}: memory used, and processes), {@code prlimit} for CPU time, address space,
 * processes and file size, and a wall-clock timeout that kills the whole tree. Run as root, the
 * command runs as {@code nobody}, so host files keep their real permissions ({@code /etc/shadow}
 * stays unreadable); run as a user, it stays that user.
 */
public final class NamespaceSandbox implements Sandbox {
    static final int NOBODY = 65534;
    private static final long MAX_OUTPUT = 4L << 20;
    /** Address space allowed per byte of the memory limit when a cgroup limits memory itself. */
    static final long CGROUP_ADDRESS_SPACE_FACTOR = 16;
    /** ... and when only the address-space limit stands for it. */
    static final long ADDRESS_SPACE_FACTOR = 4;
    public static final String BUBBLEWRAP = "bubblewrap";
    public static final String UTIL_LINUX = "util-linux";

    /**
     * Builds the new root for the util-linux sandbox, inside fresh mount and PID namespaces.
     * Arguments: root folder, workspace, output folder, /tmp size, work size, then pairs of
     * (host folder, path inside) for read-only caches, then "--", then the command to exec as PID 1.
     */
    static final String UTIL_LINUX_SETUP = """
            set -e
            R=$1; WS=$2; OUT=$3; TMP=$4; WORK=$5; shift 5
            mount -t tmpfs -o size=4m,mode=755 prt-sandbox-root "$R"
            for d in usr etc opt var srv; do
              if [ -d "/$d" ] && [ ! -L "/$d" ]; then mkdir "$R/$d"; mount --bind -o ro "/$d" "$R/$d"; fi
            done
            for d in bin sbin lib lib32 lib64 libx32; do
              if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$R/$d"
              elif [ -d "/$d" ]; then mkdir "$R/$d"; mount --bind -o ro "/$d" "$R/$d"; fi
            done
            mkdir "$R/dev" "$R/proc" "$R/tmp" "$R/.old"
            for n in null zero full random urandom; do touch "$R/dev/$n"; mount --bind "/dev/$n" "$R/dev/$n"; done
            ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"
            ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
            mkdir "$R/dev/shm"; mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev prt-sandbox-shm "$R/dev/shm"
            mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
            mount -t tmpfs -o "size=$TMP,mode=1777,nosuid,nodev" prt-sandbox-tmp "$R/tmp"
            mkdir "$R/tmp/src" "$R/tmp/out" "$R/tmp/work"
            mount --bind -o ro "$WS" "$R/tmp/src"
            mount --bind "$OUT" "$R/tmp/out"
            mount -t tmpfs -o "size=$WORK,mode=1777,nosuid,nodev" prt-sandbox-work "$R/tmp/work"
            while [ "$1" != "--" ]; do mkdir -p "$R$2"; mount --bind -o ro "$1" "$R$2"; shift 2; done
            shift
            up=
            for ip in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do
              if [ -z "$up" ] && [ -x "$ip" ] && "$ip" link set lo up 2>/dev/null; then up=1; fi
            done
            if [ -z "$up" ] && command -v python3 >/dev/null; then
              python3 -c 'import socket,fcntl,struct
            s=socket.socket(); f=struct.unpack("16sH14s", fcntl.ioctl(s, 0x8913, struct.pack("16sH14s", b"lo", 0, b"")))[1]
            fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", f | 1, b""))' 2>/dev/null || true
            fi
            mount -o remount,bind,ro "$R"
            cd "$R"
            pivot_root . .old
            umount -l /.old
            cd /
            exec "$@"
            """;

    private final String bwrap;

    /** The bubblewrap sandbox, with bubblewrap at {@code bwrap}. */
    public NamespaceSandbox(String bwrap) {
        this.bwrap = bwrap;
    }

    /** The util-linux sandbox (no bubblewrap needed). */
    public static NamespaceSandbox utilLinux() {
        return new NamespaceSandbox(null);
    }

    /** A tool that was tried and why it cannot be used, or the sandbox it gave. */
    public record Detection(NamespaceSandbox sandbox, String why) {
    }

    /** The sandbox when bubblewrap or else util-linux works here; otherwise null. */
    public static NamespaceSandbox detect() {
        return detect(null).sandbox();
    }

    /**
     * Tries {@code tool} ("bubblewrap" or "util-linux"), or when null bubblewrap first and then
     * util-linux; says why each one that was tried is not usable.
     */
    public static Detection detect(String tool) {
        List<String> why = new ArrayList<>();
        if (tool == null || tool.equals(BUBBLEWRAP)) {
            String found = List.of("/usr/bin/bwrap", "/usr/local/bin/bwrap").stream()
                    .filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
            if (found == null) {
                why.add("bubblewrap is not installed");
            } else {
                String failure = probe(new NamespaceSandbox(found));
                if (failure == null) {
                    return new Detection(new NamespaceSandbox(found), "bubblewrap (" + found + ")");
                }
                why.add("bubblewrap does not work here: " + failure);
            }
        }
        if (tool == null || tool.equals(UTIL_LINUX)) {
            NamespaceSandbox u = utilLinux();
            String failure = probe(u);
            if (failure == null) {
                return new Detection(u, "util-linux (unshare, setpriv, prlimit)" + (why.isEmpty() ? "" : ": " + String.join("; ", why)));
            }
            why.add("util-linux's unshare does not work here: " + failure);
        }
        return new Detection(null, String.join("; ", why));
    }

    /** Runs {@code true} in the sandbox: null when it works, else what went wrong. */
    private static String probe(NamespaceSandbox s) {
        try {
            Path probe = Files.createTempDirectory("prt-sandbox-probe");
            Path out = Files.createTempDirectory("prt-sandbox-probe-out");
            try {
                Result r = s.run(probe, List.of("true"), Map.of(), Limits.defaults().withWallTimeout(java.time.Duration.ofSeconds(20)), out);
                if (Integer.valueOf(0).equals(r.exitCode())) {
                    return null;
                }
                String said = r.output().strip();
                return "exit " + r.exitCode() + (said.isEmpty() ? "" : ": " + said.lines().reduce((a, b) -> b).orElse(""));
            } finally {
                deleteTree(probe);
                deleteTree(out);
            }
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public String kind() {
        return "namespace";
    }

    @Override
    public String tool() {
        return bwrap != null ? BUBBLEWRAP : UTIL_LINUX;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The full command line (exposed for tests and for the verdict's record of what ran). */
    public List<String> commandLine(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir) {
        return commandLine(workspace, command, env, limits, outDir, List.of(), null, null);
    }

    /**
     * With a memory cgroup, memory is limited by what the run uses (the group) and the address
     * space only loosely ({@link #CGROUP_ADDRESS_SPACE_FACTOR} times, against runaway mappings);
     * without one, by address space at {@link #ADDRESS_SPACE_FACTOR} times the memory limit, since
     * real runtimes reserve far more virtual memory than they touch. {@code root} is the empty
     * folder the util-linux sandbox mounts its new root on.
     */
    List<String> commandLine(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir,
                             List<Mount> readOnly, MemoryCgroup cgroup, Path root) {
        List<String> cmd = new ArrayList<>();
        if (cgroup != null) {
            cmd.addAll(cgroup.joinCommand());
        }
        boolean root0 = isRoot();
        if (bwrap != null) {
            // bubblewrap's --die-with-parent ties its children to bubblewrap, not bubblewrap to us: the
            // parent-death signal (set after the uid change, which would clear it) does
            cmd.addAll(root0 ? List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--pdeathsig=KILL", "--")
                    : List.of("setpriv", "--pdeathsig=KILL", "--"));
        }
        long addressSpace = limits.memoryBytes() * (cgroup != null ? CGROUP_ADDRESS_SPACE_FACTOR : ADDRESS_SPACE_FACTOR);
        cmd.addAll(List.of("prlimit", "--cpu=" + limits.cpuSeconds(), "--as=" + addressSpace,
                "--nproc=" + limits.pids(), "--fsize=" + limits.fileSizeBytes(), "--core=0", "--"));
        Map<String, String> all = new TreeMap<>(DETERMINISTIC_ENV);
        all.putAll(env);
        // copy the workspace in (the copy is what the tests may change), then become the command
        List<String> start = List.of("/bin/sh", "-c", "cp -R /tmp/src/. " + WORK + "/ && cd " + WORK + " && exec \"$@\"", "prt-sandbox");
        if (bwrap != null) {
            cmd.addAll(List.of(bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                    "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                    "--size", String.valueOf(limits.tmpBytes()), "--tmpfs", "/tmp",
                    "--ro-bind", workspace.toAbsolutePath().toString(), "/tmp/src",
                    "--bind", outDir.toAbsolutePath().toString(), OUT,
                    "--size", String.valueOf(limits.workspaceBytes()), "--tmpfs", WORK));
            for (Mount m : readOnly) {
                cmd.addAll(List.of("--ro-bind", m.host().toAbsolutePath().toString(), m.inside()));
            }
            cmd.addAll(List.of("--chdir", WORK, "--clearenv"));
            all.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
            cmd.add("--");
        } else {
            cmd.addAll(List.of("setpriv", "--pdeathsig=KILL", "--", "unshare"));
            if (!root0) {
                cmd.add("--map-root-user");
            }
            cmd.addAll(List.of("--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child", "--propagation", "private",
                    "--", "/bin/sh", "-c", UTIL_LINUX_SETUP, "prt-sandbox-setup", root.toAbsolutePath().toString(),
                    workspace.toAbsolutePath().toString(), outDir.toAbsolutePath().toString(),
                    String.valueOf(limits.tmpBytes()), String.valueOf(limits.workspaceBytes())));
            for (Mount m : readOnly) {
                cmd.addAll(List.of(m.host().toAbsolutePath().toString(), m.inside()));
            }
            cmd.addAll(List.of("--", "/usr/bin/env", "-i"));
            all.forEach((k, v) -> cmd.add(k + "=" + v));
            if (root0) {
                cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--pdeathsig=KILL",
                        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
            } else {
                long uid = new com.sun.security.auth.module.UnixSystem().getUid();
                long gid = new com.sun.security.auth.module.UnixSystem().getGid();
                cmd.addAll(List.of("/usr/bin/unshare", "--map-user=" + uid, "--map-group=" + gid, "--",
                        "/usr/bin/setpriv", "--no-new-privs", "--pdeathsig=KILL", "--"));
            }
        }
        cmd.addAll(start);
        cmd.addAll(command);
        return cmd;
    }

    @Override
    public Result run(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir,
                      List<Mount> readOnly) throws IOException, InterruptedException {
        if (isRoot()) {
            // nobody must be able to read the workspace and write the output folder
            Files.setPosixFilePermissions(outDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            makeReadable(workspace);
        }
        Path root = bwrap == null ? Files.createTempDirectory("prt-sandbox-root") : null;
        try (MemoryCgroup cgroup = MemoryCgroup.create(limits.memoryBytes(), limits.pids())) {
            return run(commandLine(workspace, command, env, limits, outDir, readOnly, cgroup, root), limits, cgroup);
        } finally {
            if (root != null) {
                Files.deleteIfExists(root); // the mounts on it lived in the run's own mount namespace
            }
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
