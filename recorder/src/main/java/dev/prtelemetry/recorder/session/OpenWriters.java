package dev.prtelemetry.recorder.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which of some files a process holds open for writing right now, read from Linux's
 * {@code /proc/<pid>/fd} links and {@code fdinfo} flags. A save is "done" when its writer has
 * closed the file: a save that truncates the file and is then held up (a busy machine, a paused
 * virtual CPU, a slow network disk) looks finished by its modification time alone, and would
 * be recorded as an emptied file followed by a second edit that refills it.
 *
 * <p>Only processes whose {@code /proc} entries this user may read are seen (the developer's
 * own editor and tools). Where there is no {@code /proc}, nothing is held and the watcher falls
 * back on the modification-time debounce alone.
 */
final class OpenWriters {
    private static final Path PROC = Path.of("/proc");
    private static final int O_ACCMODE = 3;

    private OpenWriters() {
    }

    /** The files of {@code files} (absolute, real paths) that some readable process has open with O_WRONLY or O_RDWR. */
    static Set<Path> among(Collection<Path> files) {
        Set<Path> held = new HashSet<>();
        if (files.isEmpty() || !Files.isDirectory(PROC.resolve("self/fd"))) {
            return held;
        }
        Map<String, Path> wanted = new HashMap<>();
        for (Path f : files) {
            wanted.put(f.toString(), f);
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString()))) {
            for (Path proc : procs) {
                if (Long.parseLong(proc.getFileName().toString()) == self) {
                    continue;
                }
                scanProcess(proc, wanted, held);
                if (held.size() == wanted.size()) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc unreadable: fall back on the debounce
        }
        return held;
    }

    private static void scanProcess(Path proc, Map<String, Path> wanted, Set<Path> held) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException | UnsupportedOperationException e) {
                    continue; // closed meanwhile
                }
                Path file = wanted.get(target.toString());
                if (file != null && !held.contains(file) && writable(proc.resolve("fdinfo").resolve(fd.getFileName()))) {
                    held.add(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            // another user's process, or it exited meanwhile
        }
    }

    /** The fd's access mode from its {@code fdinfo} ({@code flags:} in octal). */
    private static boolean writable(Path fdinfo) {
        try {
            for (String line : new String(Files.readAllBytes(fdinfo), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("flags:")) {
                    int mode = (int) (Long.parseLong(line.substring(6).strip(), 8) & O_ACCMODE);
                    return mode == 1 || mode == 2;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // closed meanwhile
        }
        return false;
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
