package dev.prtelemetry.recorder.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Which untracked files are not the developer's edits: build and tool outputs of the
 * ecosystems we support (the defaults below), the repository's {@code .prtignore} (gitignore
 * syntax, at the repository root; it may also un-ignore a default with {@code !pattern}), on
 * top of what git already ignores ({@code .gitignore}, {@code .git/info/exclude}, the user's
 * global excludes). Git applies them: the combined list is handed to git as
 * {@code core.excludesFile}, so the patterns mean exactly what they mean in a
 * {@code .gitignore}. Tracked files are always considered, whatever the patterns say.
 */
public final class Ignores {
    /** Outputs of Maven, Gradle, npm/yarn, Python, Go, coverage and test reporters: never edits. */
    public static final List<String> DEFAULTS = List.of(
            "target/", "build/", "out/", "dist/", "node_modules/", ".gradle/", ".mvn/wrapper/maven-wrapper.jar",
            "__pycache__/", "*.pyc", "*.pyo", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", ".tox/", ".nox/",
            "*.egg-info/", ".eggs/", ".venv/", "venv/",
            "*.class", "surefire-reports/", "failsafe-reports/", "test-results/", "junit*.xml",
            "coverage/", ".coverage", ".coverage.*", "htmlcov/", ".nyc_output/", "lcov.info", "jacoco*.exec",
            ".next/", ".nuxt/", ".parcel-cache/", ".turbo/", ".cache/",
            ".DS_Store", "*.swp", "*.swo", "*~");

    /** The file at the repository root with the repository's own patterns. */
    public static final String FILE_NAME = ".prtignore";

    private static volatile String globalExcludes;

    private Ignores() {
    }

    /** {@code -c core.excludesFile=…} for a git call that should skip what prt skips. */
    public static List<String> gitConfig(Workspace ws) throws IOException {
        return List.of("-c", "core.excludesFile=" + file(ws));
    }

    /** Writes the combined list under {@code .prt/} (only when it changed) and returns its path. */
    static Path file(Workspace ws) throws IOException {
        StringBuilder all = new StringBuilder("# written by prt: the user's global git excludes, prt's defaults, then .prtignore\n");
        all.append(globalExcludes(ws)).append('\n');
        for (String d : DEFAULTS) {
            all.append(d).append('\n');
        }
        Path own = ws.repoRoot().resolve(FILE_NAME);
        if (Files.isRegularFile(own)) {
            all.append(Files.readString(own, StandardCharsets.UTF_8)).append('\n');
        }
        Path target = ws.dir().resolve("ignore");
        byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
        if (!Files.exists(target) || !java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
            Files2.writeAtomically(target, bytes);
        }
        return target;
    }

    /** The user's own global excludes (core.excludesFile, or git's default place), read once per process. */
    private static String globalExcludes(Workspace ws) throws IOException {
        String cached = globalExcludes;
        if (cached != null) {
            return cached;
        }
        Git.Result r = new Git(ws.repoRoot()).run("config", "--path", "core.excludesFile");
        Path file;
        if (r.exit() == 0 && !r.text().isBlank()) {
            file = Path.of(r.text().strip());
        } else {
            Map<String, String> env = System.getenv();
            String xdg = env.get("XDG_CONFIG_HOME");
            file = xdg != null && !xdg.isEmpty() ? Path.of(xdg, "git", "ignore")
                    : Path.of(System.getProperty("user.home"), ".config", "git", "ignore");
        }
        String text = "";
        try {
            if (Files.isRegularFile(file) && !file.equals(ws.dir().resolve("ignore"))) {
                text = Files.readString(file, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // unreadable: git would not use it either
        }
        globalExcludes = text;
        return text;
    }
}
