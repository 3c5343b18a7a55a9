package dev.prtelemetry.qa.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs an untrusted command (a repository's test suite) on a copy of a workspace: no network,
 * an unprivileged user, only the workspace and an output folder writable, resource limits and
 * a wall-clock timeout, nothing left running afterwards. The command's working directory is
 * the copy; files it writes under {@link #OUT} come back in {@code outDir}.
 */
public interface Sandbox {
    /** Inside the sandbox: where the output folder is (reports go here). */
    String OUT = "/tmp/out";
    /** Inside the sandbox: the working copy of the workspace. */
    String WORK = "/tmp/work";

    /** How a run ended. {@code exitCode} is null when it was killed (timeout, or by a limit). */
    record Result(Integer exitCode, boolean timedOut, String signal, String output, long durationMs) {
        public boolean killed() {
            return exitCode == null || timedOut || signal != null;
        }
    }

    /** A host folder the run may read but not change (a dependency cache), seen at {@code inside} (under {@link #DEPS}). */
    record Mount(Path host, String inside) {
    }

    /** Inside the sandbox: where read-only dependency caches are mounted. */
    String DEPS = "/tmp/deps";

    /** "docker" or "namespace". */
    String kind();

    /** What builds the sandbox: "docker", "bubblewrap" or "util-linux". */
    default String tool() {
        return kind();
    }

    default Result run(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir)
            throws IOException, InterruptedException {
        return run(workspace, command, env, limits, outDir, List.of());
    }

    Result run(Path workspace, List<String> command, Map<String, String> env, Limits limits, Path outDir, List<Mount> readOnly)
            throws IOException, InterruptedException;

    /** The environment every run gets, for the same outcome every time. */
    Map<String, String> DETERMINISTIC_ENV = Map.of("TZ", "UTC", "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8",
            "PYTHONHASHSEED", "0", "PYTHONDONTWRITEBYTECODE", "1", "HOME", "/tmp", "PATH", "/usr/local/bin:/usr/bin:/bin");
}
