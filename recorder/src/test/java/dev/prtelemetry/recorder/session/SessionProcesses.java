package dev.prtelemetry.recorder.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs prt as a separate process (the test's own classpath), in a scratch git repository. */
final class SessionProcesses {
    record Result(int exit, String out, String err) {
    }

    private SessionProcesses() {
    }

    static Result prt(Path cwd, Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.prtelemetry.recorder.cli.PrtCommand"));
        cmd.addAll(List.of(args));
        return run(cmd, cwd, env, stdin);
    }

    static Result run(List<String> cmd, Path cwd, Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("prt-out", ".txt");
        Path err = Files.createTempFile("prt-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("prt %s finished", cmd).isTrue();
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** A git repository with one commit; the session's server is a closed port (offline) unless given. */
    static Path repo(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/app.py"), "def add(a, b):\n    return a - b\n");
        Files.writeString(dir.resolve(".gitignore"), "*.log\n");
        git(dir, "init", "-q");
        git(dir, "add", "-A");
        git(dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.org", "commit", "-qm", "start");
        return dir;
    }

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Result r = run(cmd, dir, Map.of(), null);
        assertThat(r.exit()).as("git %s: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }

    static Map<String, String> offline(Path config) {
        return Map.of("PRT_URL", "http://127.0.0.1:9", "PRT_BACKGROUND", "0", "PRT_CONFIG_HOME", config.toString());
    }

    static List<ObjectNode> journal(Path repo) throws Exception {
        List<ObjectNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(repo.resolve(".prt/journal.jsonl"))) {
            if (!line.isBlank()) {
                out.add((ObjectNode) StrictJson.parse(line));
            }
        }
        return out;
    }
}
