package dev.prtelemetry.qa.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A memory limit that measures memory: a cgroup of its own per sandbox run, with its memory
 * (and swap) capped, and where the pids controller is there, its process count. An address-space
 * limit (RLIMIT_AS) counts virtual memory instead, which real test suites reserve far beyond what
 * they use — pytest rendering a failure in a large module died of MemoryError under 1 GiB of
 * address space while using a fraction of it. Used where this process may create cgroups: cgroup
 * v2 with the memory controller delegated to our cgroup, or cgroup v1's memory hierarchy (as root);
 * elsewhere the sandbox falls back on the address-space limit.
 *
 * <p>The run's first process joins the group itself ({@link #joinCommand}) before it drops its
 * privileges and execs the sandbox, so every descendant is inside from the start; the group is
 * removed after the run.
 */
final class MemoryCgroup implements AutoCloseable {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final Path memory;
    private final Path pids;

    private MemoryCgroup(Path memory, Path pids) {
        this.memory = memory;
        this.pids = pids;
    }

    /** A new group limited to {@code bytes} of memory (no swap) and {@code maxPids} processes, or null where none can be made. */
    static MemoryCgroup create(long bytes, long maxPids) {
        String name = "prt-sandbox-" + UUID.randomUUID();
        try {
            Path v2 = v2Parent();
            if (v2 != null) {
                Path g = Files.createDirectory(v2.resolve(name));
                try {
                    write(g.resolve("memory.max"), bytes);
                    writeIfPresent(g.resolve("memory.swap.max"), "0");
                    writeIfPresent(g.resolve("pids.max"), Long.toString(maxPids));
                    return new MemoryCgroup(g, null);
                } catch (IOException e) {
                    Files.deleteIfExists(g);
                    throw e;
                }
            }
            Path v1 = ROOT.resolve("memory");
            if (Files.isWritable(v1) && Files.exists(v1.resolve("memory.limit_in_bytes"))) {
                Path g = Files.createDirectory(v1.resolve(name));
                Path p = null;
                try {
                    write(g.resolve("memory.limit_in_bytes"), bytes);
                    writeIfPresent(g.resolve("memory.memsw.limit_in_bytes"), Long.toString(bytes)); // no swap on top
                    Path pidsRoot = ROOT.resolve("pids");
                    if (Files.isWritable(pidsRoot) && Files.exists(pidsRoot.resolve("cgroup.procs"))) {
                        p = Files.createDirectory(pidsRoot.resolve(name));
                        write(p.resolve("pids.max"), maxPids);
                    }
                    return new MemoryCgroup(g, p);
                } catch (IOException e) {
                    Files.deleteIfExists(g);
                    if (p != null) {
                        Files.deleteIfExists(p);
                    }
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** Our own cgroup v2 folder when memory is among the controllers it hands to children, else null. */
    private static Path v2Parent() throws IOException {
        Path unified = Files.exists(ROOT.resolve("cgroup.controllers")) ? ROOT
                : Files.exists(ROOT.resolve("unified/cgroup.controllers")) ? ROOT.resolve("unified") : null;
        if (unified == null) {
            return null;
        }
        String own = "";
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) {
                own = line.substring(3);
            }
        }
        Path dir = unified.resolve(own.replaceFirst("^/", ""));
        Path control = dir.resolve("cgroup.subtree_control");
        if (!Files.isWritable(dir) || !Files.exists(control)
                || !List.of(Files.readString(control).strip().split(" ")).contains("memory")) {
            return null;
        }
        return dir;
    }

    /** {@code sh -c '…' } that moves itself into the group(s), then execs the rest of the command line. */
    List<String> joinCommand() {
        String join = "echo $$ > '" + memory.resolve("cgroup.procs") + "'"
                + (pids == null ? "" : " && echo $$ > '" + pids.resolve("cgroup.procs") + "'");
        return List.of("/bin/sh", "-c", join + " && exec \"$@\"", "prt-cgroup");
    }

    /** Whether the kernel killed something in the group for memory (v2 memory.events, v1 memory.oom_control). */
    boolean oomKilled() {
        return counter(memory.resolve("memory.events"), "oom_kill ") > 0 || counter(memory.resolve("memory.oom_control"), "oom_kill ") > 0;
    }

    /** The value of a {@code key value} line of a cgroup file; 0 when the file or the line is not there. */
    private static long counter(Path file, String key) {
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith(key)) {
                        return Long.parseLong(line.substring(key.length()).strip());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone with the group
        }
        return 0;
    }

    @Override
    public void close() {
        for (Path g : new Path[] {memory, pids}) {
            if (g == null) {
                continue;
            }
            long deadline = System.currentTimeMillis() + 5_000;
            while (true) {
                try {
                    Files.deleteIfExists(g); // rmdir: only once its last process is gone
                    break;
                } catch (IOException e) {
                    if (System.currentTimeMillis() > deadline) {
                        break;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
    }

    private static void write(Path file, long value) throws IOException {
        Files.writeString(file, Long.toString(value), StandardCharsets.US_ASCII);
    }

    private static void writeIfPresent(Path file, String value) {
        try {
            if (Files.exists(file)) {
                Files.writeString(file, value, StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            // optional (swap accounting may be off)
        }
    }
}
