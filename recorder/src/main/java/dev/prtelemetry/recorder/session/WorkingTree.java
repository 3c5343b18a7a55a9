package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * On-save edits. The working tree's files that git would consider (tracked, and untracked
 * but not ignored; never {@code .prt/}) are compared with a shadow copy of their last recorded
 * content; each changed file becomes one {@code file_edit} with a unified diff against that
 * content and the buffer hashes before and after. The watcher records a save once it is done:
 * the file has been still for the debounce, no process holds it open for writing
 * ({@link OpenWriters}), and it did not change while being read; otherwise it waits for the
 * next scan. Scans at a command, a note or the finish record the files as they are.
 */
public final class WorkingTree {
    /** Diffs larger than this ride as an artifact (the event keeps a reference). */
    static final int MAX_INLINE_DIFF = 256 * 1024;
    /** Files larger than this are recorded by hash only. */
    static final long MAX_DIFFED_FILE = 4L * 1024 * 1024;
    /** Stands for a previous content that was not kept (a large command output): the edit cannot be a diff. */
    private static final byte[] UNKNOWN = new byte[0];
    /** A binary file's new content is kept as an artifact up to this size; larger ones by hash and size only. */
    static final int MAX_BINARY_CONTENT = 1024 * 1024;
    /** A file held open for writing longer than this is recorded as it is (a log a tool never closes). */
    static final long MAX_WRITE_HOLD_MS = 10_000;
    /** Since when (the watcher's clock) each changed file has been seen held open for writing. */
    private static final Map<String, Long> HELD_SINCE = new ConcurrentHashMap<>();

    private WorkingTree() {
    }

    /** Makes the shadow of the start state: every candidate file's content as it is now. */
    public static void initShadow(Workspace ws) throws IOException {
        ObjectNode index = StrictJson.mapper().createObjectNode();
        // Tracked files only: they are the start commit (the tree is clean). Untracked files are
        // not in the start snapshot, so the first scan records them as new files.
        for (String path : candidates(ws, false)) {
            Path file = ws.repoRoot().resolve(path);
            BasicFileAttributes a = attrs(file);
            if (a == null || !a.isRegularFile()) {
                continue;
            }
            byte[] bytes = Files.readAllBytes(file);
            String sha = storeObject(ws, bytes);
            index.set(path, entry(a, sha));
        }
        Files2.writeAtomically(ws.shadowIndex(), StrictJson.bytes(index));
    }

    /**
     * Records every changed file as a {@code file_edit}; returns how many. {@code debounceMs}
     * 0 records everything changed now (before a command, a note, the finish).
     */
    public static int scan(Recorder rec, long debounceMs) throws IOException {
        int spooled = Spool.drain(rec, System.err); // commands that finished before now come first
        return spooled + scan(rec, debounceMs, 0);
    }

    /** As {@link #scan(Recorder, long)}, leaving files last changed at or after {@code beforeMs} (when > 0) for later. */
    static int scan(Recorder rec, long debounceMs, long beforeMs) throws IOException {
        Workspace ws = rec.workspace();
        ObjectNode index = loadIndex(ws);
        long now = System.currentTimeMillis();
        Set<String> paths = new LinkedHashSet<>(candidates(ws));
        index.fieldNames().forEachRemaining(paths::add);
        // first the cheap look (stat): which files changed and have settled
        long running = Commands.runningSince(ws);
        List<String> changed = new ArrayList<>();
        boolean indexChanged = false;
        for (String path : paths.stream().sorted().toList()) {
            BasicFileAttributes a = attrs(ws.repoRoot().resolve(path));
            JsonNode known = index.get(path);
            if (a != null && !a.isRegularFile()) {
                continue;
            }
            if (a == null && known == null) {
                continue;
            }
            if (a == null && known.path("output").asBoolean()) {
                index.remove(path); // a command's output removed (a rebuild): it never was an edit, nor is its removal
                indexChanged = true;
                continue;
            }
            if (a != null && known != null && known.path("size").asLong() == a.size()
                    && known.path("mtime_ms").asLong() == a.lastModifiedTime().toMillis()) {
                continue; // unchanged since last seen
            }
            if (a != null && debounceMs > 0 && now - a.lastModifiedTime().toMillis() < debounceMs) {
                continue; // still being saved
            }
            if (a != null && beforeMs > 0 && a.lastModifiedTime().toMillis() >= beforeMs) {
                continue; // changed after the command being recorded started: after it in the trace
            }
            if (a != null && running > 0 && (known == null || known.path("output").asBoolean())
                    && a.lastModifiedTime().toMillis() >= running - Commands.CLOCK_SLACK_MS) {
                continue; // made while a prt run command runs: its output, unless the drain decides otherwise
            }
            changed.add(path);
        }
        if (debounceMs > 0) {
            changed.removeAll(stillBeingWritten(ws, changed, now));
        }
        int recorded = 0;
        for (String path : changed) {
            Path file = ws.repoRoot().resolve(path);
            BasicFileAttributes a = attrs(file);
            JsonNode known = index.get(path);
            if (a != null && !a.isRegularFile()) {
                continue;
            }
            byte[] after = a == null ? null : readOrNull(file);
            if (a != null && after == null) {
                continue; // vanished between the stat and the read
            }
            if (a != null && debounceMs > 0 && !sameVersion(a, attrs(file))) {
                continue; // written to while we read it: the next scan sees the settled content
            }
            String afterSha = after == null ? null : Sha256.hex(Sha256.digest(after));
            String beforeSha = known == null ? null : known.path("sha256").asText(null);
            if (java.util.Objects.equals(afterSha, beforeSha)) {
                if (a != null) {
                    index.set(path, entry(a, afterSha)); // touched, same bytes
                    indexChanged = true;
                }
                continue;
            }
            Path beforeObject = beforeSha == null ? null : ws.shadowObjects().resolve(beforeSha);
            byte[] before = beforeObject == null ? null : Files.exists(beforeObject) ? Files.readAllBytes(beforeObject) : UNKNOWN;
            if (after != null) {
                storeObject(ws, after);
            }
            rec.record("file_edit", editPayload(rec, path, before, beforeSha, after, afterSha));
            recorded++;
            if (a == null) {
                index.remove(path);
            } else {
                index.set(path, entry(a, afterSha));
            }
            Files2.writeAtomically(ws.shadowIndex(), StrictJson.bytes(index));
            indexChanged = false;
        }
        if (indexChanged) {
            Files2.writeAtomically(ws.shadowIndex(), StrictJson.bytes(index));
        }
        return recorded;
    }

    /**
     * Of the changed files, those a process still holds open for writing: their save is not done
     * yet (see {@link OpenWriters}). A file held open longer than {@link #MAX_WRITE_HOLD_MS} (a
     * log a tool keeps open) is recorded anyway. The first time a file was seen held is kept for
     * the life of the watcher process.
     */
    private static Set<String> stillBeingWritten(Workspace ws, List<String> changed, long now) {
        Map<Path, String> byRealPath = new HashMap<>();
        for (String path : changed) {
            try {
                byRealPath.put(ws.repoRoot().resolve(path).toRealPath(), path);
            } catch (IOException e) {
                // deleted: nobody writes it
            }
        }
        Set<String> held = new HashSet<>();
        Set<Path> open = OpenWriters.among(byRealPath.keySet());
        HELD_SINCE.keySet().retainAll(open.stream().map(byRealPath::get).toList());
        for (Path real : open) {
            String path = byRealPath.get(real);
            long since = HELD_SINCE.computeIfAbsent(path, k -> now);
            if (now - since < MAX_WRITE_HOLD_MS) {
                held.add(path);
            }
        }
        return held;
    }

    private static boolean sameVersion(BasicFileAttributes a, BasicFileAttributes b) {
        return b != null && a.size() == b.size() && a.lastModifiedTime().equals(b.lastModifiedTime());
    }

    /**
     * The files a command made while it ran, from {@code startedMs} to {@code endedMs}: new
     * untracked files (and earlier outputs it rewrote) that no ignore rule hides. They are taken
     * into the shadow as outputs, so they are not recorded as the developer's edits, and returned
     * (path, sha256, size) for the command's {@code cmd_run}. Tracked files the command changed
     * (a formatter, a lock file) stay edits: the trace must be able to replay them.
     */
    static List<ObjectNode> adoptOutputs(Workspace ws, long startedMs, long endedMs) throws IOException {
        ObjectNode index = loadIndex(ws);
        List<ObjectNode> outputs = new ArrayList<>();
        for (String path : candidates(ws)) {
            JsonNode known = index.get(path);
            if (known != null && !known.path("output").asBoolean()) {
                continue;
            }
            Path file = ws.repoRoot().resolve(path);
            BasicFileAttributes a = attrs(file);
            if (a == null || !a.isRegularFile()) {
                continue;
            }
            long m = a.lastModifiedTime().toMillis();
            if (known != null && known.path("size").asLong() == a.size() && known.path("mtime_ms").asLong() == m) {
                continue;
            }
            if (m < startedMs - Commands.CLOCK_SLACK_MS || m > endedMs + Commands.CLOCK_SLACK_MS) {
                continue;
            }
            byte[] bytes = readOrNull(file);
            if (bytes == null) {
                continue;
            }
            String sha = Sha256.hex(Sha256.digest(bytes));
            if (bytes.length <= MAX_DIFFED_FILE) {
                storeObject(ws, bytes); // so a later edit of it by the developer is a diff
            }
            index.set(path, entry(a, sha).put("output", true));
            outputs.add(StrictJson.mapper().createObjectNode().put("path", path).put("sha256", sha).put("size", bytes.length));
        }
        if (!outputs.isEmpty()) {
            Files2.writeAtomically(ws.shadowIndex(), StrictJson.bytes(index));
        }
        return outputs;
    }

    /** After a crash: a journaled edit the shadow had not caught up with. */
    static void adoptEdit(Workspace ws, JsonNode payload) throws IOException {
        ObjectNode index = loadIndex(ws);
        String path = payload.get("path").asText();
        JsonNode after = payload.get("after_sha256");
        if (after == null || after.isNull()) {
            index.remove(path);
        } else {
            index.set(path, StrictJson.mapper().createObjectNode().put("size", -1).put("mtime_ms", -1)
                    .put("sha256", after.asText()));
        }
        Files2.writeAtomically(ws.shadowIndex(), StrictJson.bytes(index));
    }

    private static ObjectNode editPayload(Recorder rec, String path, byte[] before, String beforeSha, byte[] after,
                                          String afterSha) throws IOException {
        ObjectNode p = StrictJson.mapper().createObjectNode();
        p.put("path", path);
        p.put("before_sha256", beforeSha);
        p.put("after_sha256", afterSha);
        String beforeText = before == null ? "" : before == UNKNOWN ? null : text(before);
        String afterText = after == null ? "" : text(after);
        if (beforeText == null || afterText == null) {
            return binaryPayload(rec, p, after, afterText);
        }
        List<String> a = lines(beforeText);
        List<String> b = lines(afterText);
        Patch<String> patch = DiffUtils.diff(a, b);
        long added = 0;
        long removed = 0;
        for (AbstractDelta<String> d : patch.getDeltas()) {
            added += d.getTarget().size();
            removed += d.getSource().size();
        }
        String from = before == null ? "/dev/null" : "a/" + path;
        String to = after == null ? "/dev/null" : "b/" + path;
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(from, to, a, patch, 3);
        String diffText = diff.isEmpty() ? "" : String.join("\n", diff) + "\n";
        diffText = rec.redactText(diffText);
        if (diffText.length() > MAX_INLINE_DIFF) {
            p.put("diff_ref", Artifacts.put(rec.workspace(), diffText.getBytes(StandardCharsets.UTF_8)));
        } else {
            p.put("diff", diffText);
        }
        p.put("lines_added", added);
        p.put("lines_removed", removed);
        return p;
    }

    /**
     * A change that is not text on one side (binary, or too large to diff): no diff, a binary
     * marker and the new size; the new content as an artifact when it is at most
     * {@link #MAX_BINARY_CONTENT} (text content redacted first, as every recorded text is),
     * otherwise the hashes and size alone summarise it.
     */
    private static ObjectNode binaryPayload(Recorder rec, ObjectNode p, byte[] after, String afterText) throws IOException {
        p.put("binary", true);
        p.put("size", after == null ? 0 : after.length);
        if (after != null && after.length <= MAX_BINARY_CONTENT) {
            byte[] kept = afterText == null ? after : rec.redactText(afterText).getBytes(StandardCharsets.UTF_8);
            p.put("content_ref", Artifacts.put(rec.workspace(), kept));
        }
        return p;
    }

    /** Lines without their terminators (a final line without a newline is kept). */
    static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (text.endsWith("\n")) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** UTF-8 text without NUL, or null (binary, or too large to diff). */
    static String text(byte[] bytes) {
        if (bytes.length > MAX_DIFFED_FILE) {
            return null;
        }
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Files git would consider: tracked, plus untracked that no ignore rule (git's and {@link Ignores}) hides; never .prt/. */
    static List<String> candidates(Workspace ws) throws IOException {
        return candidates(ws, true);
    }

    static List<String> candidates(Workspace ws, boolean untracked) throws IOException {
        List<String> args = new ArrayList<>(Ignores.gitConfig(ws));
        args.addAll(untracked ? List.of("ls-files", "-z", "--cached", "--others", "--exclude-standard")
                : List.of("ls-files", "-z", "--cached"));
        Git.Result r = new Git(ws.repoRoot()).run(args.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IOException("git ls-files failed: " + r.err().strip());
        }
        Set<String> out = new LinkedHashSet<>();
        for (String p : new String(r.out(), StandardCharsets.UTF_8).split("\0")) {
            if (!p.isEmpty() && !p.equals(".prt") && !p.startsWith(".prt/")) {
                out.add(p);
            }
        }
        return new ArrayList<>(out);
    }

    private static ObjectNode loadIndex(Workspace ws) throws IOException {
        return Files.exists(ws.shadowIndex()) ? (ObjectNode) StrictJson.parse(Files.readAllBytes(ws.shadowIndex()))
                : StrictJson.mapper().createObjectNode();
    }

    private static ObjectNode entry(BasicFileAttributes a, String sha) {
        return StrictJson.mapper().createObjectNode().put("size", a.size())
                .put("mtime_ms", a.lastModifiedTime().toMillis()).put("sha256", sha);
    }

    private static String storeObject(Workspace ws, byte[] bytes) throws IOException {
        String sha = Sha256.hex(Sha256.digest(bytes));
        Path target = ws.shadowObjects().resolve(sha);
        if (!Files.exists(target)) {
            Files2.writeAtomically(target, bytes);
        }
        return sha;
    }

    private static BasicFileAttributes attrs(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] readOrNull(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
