package dev.prtelemetry.recorder.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The post-commit hook that records each commit of the session. An existing hook is kept
 * and chained (moved to {@code post-commit.prt-chained}, called first, restored at finish).
 */
public final class Hooks {
    static final String MARK = "# prt post-commit hook";

    private Hooks() {
    }

    static Path hooksDir(Workspace ws) throws IOException {
        return ws.repoRoot().resolve(new Git(ws.repoRoot()).text("rev-parse", "--git-path", "hooks").strip());
    }

    public static void installPostCommit(Workspace ws) throws IOException {
        Path dir = hooksDir(ws);
        Files.createDirectories(dir);
        Path hook = dir.resolve("post-commit");
        Path chained = dir.resolve("post-commit.prt-chained");
        if (Files.exists(hook) && !Files.readString(hook).contains(MARK)) {
            Files.move(hook, chained);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\n" + MARK + " (installed by prt start, removed by prt finish)\n"
                + "if [ -x \"$(dirname \"$0\")/post-commit.prt-chained\" ]; then \"$(dirname \"$0\")/post-commit.prt-chained\" \"$@\"; fi\n"
                + quote(java) + " -XX:TieredStopAtLevel=1 -cp " + quote(System.getProperty("java.class.path"))
                + " dev.prtelemetry.recorder.cli.PrtCommand hook post-commit || true\n";
        Files.writeString(hook, script);
        try {
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            hook.toFile().setExecutable(true);
        }
    }

    public static void uninstallPostCommit(Workspace ws) throws IOException {
        Path dir = hooksDir(ws);
        Path hook = dir.resolve("post-commit");
        Path chained = dir.resolve("post-commit.prt-chained");
        if (Files.exists(hook) && Files.readString(hook).contains(MARK)) {
            Files.delete(hook);
            if (Files.exists(chained)) {
                Files.move(chained, hook);
            }
        }
    }

    /** Single-quoted for sh. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
