package dev.prtelemetry.qa.grading;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.PatchFailedException;
import dev.prtelemetry.schemas.integrity.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Rebuilds a trace's repository: the start state from its snapshot (a git bundle) or a local
 * mirror, then the recorded edits in order, each checked against its before and after hashes.
 */
public final class Workspaces {
    /** Test files by common conventions (tests/, test_*.py, *_test.go, *Test.java, *.test.js, …). */
    public static final Pattern TEST_FILE = Pattern.compile(
            "(^|.*/)(tests?|__tests__|spec)/.*|(^|.*/)test_[^/]*\\.py|.*_test\\.(py|go)|.*/src/test/.*|.*Tests?\\.(java|kt)|.*\\.(test|spec)\\.[jt]sx?");

    private Workspaces() {
    }

    /** A fresh folder that the sandbox's unprivileged user can read (under the temp folder). */
    public static Path newFolder(String prefix) throws IOException {
        Path p = Files.createTempDirectory(prefix);
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
        return p;
    }

    /** Checks out {@code commit} from a git bundle (or any repository path git can clone) into {@code dest}. */
    public static void checkout(Path source, String commit, Path dest) throws IOException {
        git(null, "clone", "-q", "--no-checkout", source.toAbsolutePath().toString(), dest.toString());
        git(dest, "-c", "advice.detachedHead=false", "checkout", "-q", commit);
    }

    /** A problem found while replaying edits (the trace does not reproduce). */
    public static class ReplayException extends IOException {
        private static final long serialVersionUID = 1L;

        public ReplayException(String message) {
            super(message);
        }
    }

    /** An edit whose diff was redacted (by the recorder or the server): the state after it cannot be rebuilt. */
    public static final class RedactedEdit extends ReplayException {
        private static final long serialVersionUID = 1L;
        public final List<String> rules;

        public RedactedEdit(String message, List<String> rules) {
            super(message);
            this.rules = List.copyOf(rules);
        }
    }

    /** The rules that redacted something under {@code pointer} in the event (the recorder's {@code redactions}, the server's {@code server_redaction}). */
    static List<String> redactedRules(JsonNode event, String pointer) {
        List<String> rules = new ArrayList<>();
        for (JsonNode list : List.of(event.path("redactions"), event.path("server_redaction").path("redactions"))) {
            for (JsonNode r : list) {
                if (r.path("pointer").asText("").startsWith(pointer) && !rules.contains(r.path("rule").asText())) {
                    rules.add(r.path("rule").asText());
                }
            }
        }
        return rules;
    }

    /** Applies the trace's file edits whose path passes {@code which}, in order; returns how many. */
    public static int applyEdits(Path dir, List<JsonNode> events, Predicate<String> which) throws IOException {
        int n = 0;
        for (JsonNode e : events) {
            if (!"file_edit".equals(e.path("type").asText())) {
                continue;
            }
            JsonNode p = e.get("payload");
            String path = p.get("path").asText();
            if (!which.test(path)) {
                continue;
            }
            String id = e.path("id").asText();
            List<String> redactedBy = redactedRules(e, "/payload/diff");
            if (!redactedBy.isEmpty()) {
                throw new RedactedEdit(id + ": the edit to " + path + " held a secret, redacted (" + String.join(", ", redactedBy)
                        + "), so the code after it is not in the trace: the fix cannot be rebuilt and re-run. The trace is kept "
                        + "as recorded; its verification is not possible (keep secrets out of source files, or verify with "
                        + "prt qa verify-patch on the real repository)", redactedBy);
            }
            Path file = dir.resolve(path).normalize();
            if (!file.startsWith(dir)) {
                throw new ReplayException(id + ": path " + path + " leaves the repository");
            }
            byte[] current = Files.exists(file) ? Files.readAllBytes(file) : null;
            String before = p.get("before_sha256").isNull() ? null : p.get("before_sha256").asText();
            String currentSha = current == null ? null : Sha256.hex(Sha256.digest(current));
            if (!java.util.Objects.equals(before, currentSha)) {
                throw new ReplayException(id + ": " + path + " is not the content the edit was made on (before_sha256 "
                        + before + ", the replay has " + currentSha + ")");
            }
            JsonNode after = p.get("after_sha256");
            if (after == null || after.isNull()) {
                Files.deleteIfExists(file);
                n++;
                continue;
            }
            if (!p.hasNonNull("diff")) {
                throw new ReplayException(id + ": " + path + " was recorded without an inline diff (binary or large); "
                        + "it cannot be replayed from the trace alone");
            }
            List<String> lines = current == null ? List.of() : lines(new String(current, StandardCharsets.UTF_8));
            List<String> patched;
            try {
                List<String> diff = Arrays.asList(p.get("diff").asText().split("\n"));
                patched = diff.isEmpty() || p.get("diff").asText().isEmpty() ? lines
                        : DiffUtils.patch(lines, UnifiedDiffUtils.parseUnifiedDiff(diff));
            } catch (PatchFailedException | RuntimeException ex) {
                throw new ReplayException(id + ": the diff of " + path + " does not apply: " + ex.getMessage());
            }
            String joined = String.join("\n", patched);
            byte[] withNewline = (joined + (patched.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8);
            byte[] without = joined.getBytes(StandardCharsets.UTF_8);
            byte[] chosen = Sha256.hex(Sha256.digest(withNewline)).equals(after.asText()) ? withNewline
                    : Sha256.hex(Sha256.digest(without)).equals(after.asText()) ? without : null;
            if (chosen == null) {
                throw new ReplayException(id + ": replaying the diff of " + path + " does not give after_sha256 "
                        + after.asText() + " (a redacted or edited diff?)");
            }
            Files.createDirectories(file.getParent());
            Files.write(file, chosen);
            n++;
        }
        return n;
    }

    /** Applies a unified diff (git format) with {@code git apply}; a clear error when it does not apply. */
    public static void applyPatch(Path dir, Path patch) throws IOException {
        git(dir, "apply", "--whitespace=nowarn", patch.toAbsolutePath().toString());
    }

    /** Copies a folder (without .git). */
    public static void copy(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path rel = from.relativize(p);
                if (!rel.toString().isEmpty() && rel.getName(0).toString().equals(".git")) {
                    continue;
                }
                Path t = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static List<String> lines(String text) {
        if (text.isEmpty()) {
            return new ArrayList<>();
        }
        List<String> out = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (text.endsWith("\n")) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    static String git(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("git " + String.join(" ", args) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
