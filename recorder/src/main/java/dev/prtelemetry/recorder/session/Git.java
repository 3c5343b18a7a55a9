package dev.prtelemetry.recorder.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs git in a repository; output as bytes or text. */
public final class Git {
    private final Path root;

    public Git(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The repository around {@code dir}, or null when it is not in one. */
    public static Path findRoot(Path dir) {
        try {
            Result r = run(dir, Map.of(), "rev-parse", "--show-toplevel");
            return r.exit == 0 ? Path.of(r.text().strip()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    public record Result(int exit, byte[] out, String err) {
        public String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    public Result run(String... args) throws IOException {
        return run(root, Map.of(), args);
    }

    public Result runWithEnv(Map<String, String> env, String... args) throws IOException {
        return run(root, env, args);
    }

    /** git's stdout as text; an IOException naming the command when git fails. */
    public String text(String... args) throws IOException {
        Result r = run(args);
        if (r.exit != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + r.err.strip());
        }
        return r.text();
    }

    static Result run(Path dir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.add("-c");
        cmd.add("core.quotepath=off");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> copy(p.getErrorStream(), err));
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git " + String.join(" ", args) + " did not finish in 120 s");
            }
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // the process ended
        }
    }
}
