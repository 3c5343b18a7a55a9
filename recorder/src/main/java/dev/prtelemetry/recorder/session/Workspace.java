package dev.prtelemetry.recorder.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a session lives: {@code <repo>/.prt/}, ignored by git through {@code .git/info/exclude}. */
public record Workspace(Path repoRoot) {
    public Path dir() {
        return repoRoot.resolve(".prt");
    }

    public Path session() {
        return dir().resolve("session.json");
    }

    public Path journal() {
        return dir().resolve("journal.jsonl");
    }

    public Path upload() {
        return dir().resolve("upload.json");
    }

    public Path shadowIndex() {
        return dir().resolve("shadow").resolve("index.json");
    }

    public Path shadowObjects() {
        return dir().resolve("shadow").resolve("objects");
    }

    public Path artifacts() {
        return dir().resolve("artifacts");
    }

    public Path tmp() {
        return dir().resolve("tmp");
    }

    public Path credentials() {
        return dir().resolve("credentials");
    }

    public Path lock() {
        return dir().resolve("lock");
    }

    public Path uploaderLock() {
        return dir().resolve("uploader.lock");
    }

    public Path uploaderLog() {
        return dir().resolve("uploader.log");
    }

    public Path watchPid() {
        return dir().resolve("watch.pid");
    }

    public Path watchLog() {
        return dir().resolve("watch.log");
    }

    /** {@code running/<pid>}: a {@code prt run} command in progress, holding the ms it started at. */
    public Path running() {
        return dir().resolve("running");
    }

    /** The session folder with its subfolders, owner-only. */
    public void create() throws IOException {
        for (Path p : new Path[] {dir(), shadowObjects(), artifacts(), tmp()}) {
            Files.createDirectories(p);
        }
        Files2.ownerOnly(dir());
    }

    /** The workspace of the repository around {@code cwd}; an error that says so when there is none. */
    public static Workspace around(Path cwd) {
        Path root = Git.findRoot(cwd);
        if (root == null) {
            throw new IllegalStateException("not inside a git repository (prt records sessions in git repositories)");
        }
        return new Workspace(root);
    }
}
