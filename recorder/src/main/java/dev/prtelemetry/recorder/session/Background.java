package dev.prtelemetry.recorder.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code prt} subcommands as detached background processes (own session via
 * {@code setsid}, so Ctrl-C in the developer's terminal does not reach them), output to a log
 * under {@code .prt/}. {@code PRT_BACKGROUND=0} turns this off (scripts that call
 * {@code prt sync} themselves).
 */
public final class Background {
    private Background() {
    }

    public static boolean enabled(Map<String, String> env) {
        return !"0".equals(env.get("PRT_BACKGROUND"));
    }

    /** Starts {@code prt <args>} in the background in {@code dir}; returns its pid, or -1 when disabled. */
    public static long spawn(Path dir, Path log, Map<String, String> env, String... args) throws IOException {
        if (!enabled(env)) {
            return -1;
        }
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.prtelemetry.recorder.cli.PrtCommand");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("PRT_BACKGROUND_CHILD", "1");
        return pb.start().pid();
    }

    /** Starts a background uploader unless one is running (it exits when idle). */
    public static void upload(Workspace ws, Map<String, String> env) {
        try {
            boolean free = Uploader.exclusively(ws, () -> { });
            if (free) {
                spawn(ws.repoRoot(), ws.uploaderLog(), env, "sync", "--background");
            }
        } catch (IOException e) {
            // the next prt command tries again; nothing is lost, the journal has it
        }
    }
}
