package dev.prtelemetry.qa.sandbox;

import java.time.Duration;

/**
 * What a sandboxed run may use. Defaults suit a small test suite; every sandbox applies all
 * of them (and reports them with its result).
 */
public record Limits(Duration wallTimeout, long cpuSeconds, long memoryBytes, long pids, long fileSizeBytes,
                     long workspaceBytes, long tmpBytes) {
    public static Limits defaults() {
        return new Limits(Duration.ofSeconds(120), 120, 1L << 30, 256, 64L << 20, 512L << 20, 128L << 20);
    }

    public Limits withWallTimeout(Duration d) {
        return new Limits(d, cpuSeconds, memoryBytes, pids, fileSizeBytes, workspaceBytes, tmpBytes);
    }

    public Limits withMemoryBytes(long bytes) {
        return new Limits(wallTimeout, cpuSeconds, bytes, pids, fileSizeBytes, workspaceBytes, tmpBytes);
    }
}
