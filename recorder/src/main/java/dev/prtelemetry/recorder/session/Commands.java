package dev.prtelemetry.recorder.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code prt run} commands in progress: each leaves {@code .prt/running/<pid>} holding the ms it
 * started at while it runs (the Java path and the {@code ./prt} launcher alike), so the watcher
 * leaves the files they make for the command's {@code cmd_run} to claim as outputs. A marker
 * whose process is gone (killed) no longer counts and is removed.
 */
public final class Commands {
    /** File times and the recorder's clock may differ by a clock tick or a file system's granularity. */
    static final long CLOCK_SLACK_MS = 50;

    private Commands() {
    }

    /** Marks a command as running in this process; returns the marker to remove when it ends. */
    public static Path started(Workspace ws, long startedMs) throws IOException {
        Files.createDirectories(ws.running());
        Path marker = ws.running().resolve(Long.toString(ProcessHandle.current().pid()));
        Files.writeString(marker, Long.toString(startedMs));
        return marker;
    }

    /**
     * The start of the earliest command still running or ended but not yet recorded (its spool
     * entry not drained), or -1: until its {@code cmd_run} claims them, what it made is not an edit.
     */
    static long runningSince(Workspace ws) {
        long earliest = -1;
        if (Files.isDirectory(Spool.dir(ws))) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(Spool.dir(ws), p -> !p.getFileName().toString().startsWith("."))) {
                for (Path entry : entries) {
                    try {
                        long since = Spool.read(entry).startedMs();
                        earliest = earliest < 0 ? since : Math.min(earliest, since);
                    } catch (IOException | RuntimeException e) {
                        // unreadable: the drain sets it aside
                    }
                }
            } catch (IOException e) {
                // no spool
            }
        }
        if (!Files.isDirectory(ws.running())) {
            return earliest;
        }
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(ws.running())) {
            for (Path m : markers) {
                long pid;
                long since;
                try {
                    pid = Long.parseLong(m.getFileName().toString());
                    since = Long.parseLong(new String(Files.readAllBytes(m), StandardCharsets.US_ASCII).strip());
                } catch (NumberFormatException | IOException e) {
                    continue; // being written
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    earliest = earliest < 0 ? since : Math.min(earliest, since);
                } else {
                    Files.deleteIfExists(m);
                }
            }
        } catch (IOException e) {
            return earliest;
        }
        return earliest;
    }
}
