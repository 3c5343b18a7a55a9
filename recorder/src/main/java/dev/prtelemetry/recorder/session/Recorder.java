package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.redaction.Redactor;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import dev.prtelemetry.schemas.validation.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One open session, held under the workspace lock (every {@code prt} process of a session —
 * run, note, the commit hook, the watcher, finish — appends through here, one at a time).
 * Recording an event: redact its payload, give it the next seq, chain it, append it to the
 * journal and fsync, then update the session state. A crash between the two is repaired on
 * the next open from the journal, which is the source of truth.
 */
public final class Recorder implements AutoCloseable {
    private static final String KEY_ENV = "PRT_REDACTION_KEY";
    /** The {@code source} of the notes the recorder writes itself. */
    static final String REFUSAL_NOTE = "recorder";
    /**
     * The largest event the recorder journals: a chunk holding it alone stays below the gateway's
     * default body limit (4 MiB, {@code PRT_MAX_CHUNK_BYTES}) with room for the chunk's envelope.
     */
    static final int MAX_EVENT_BYTES = 3_500_000;

    private final Workspace ws;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ObjectNode state;
    private final Redactor redactor;

    private Recorder(Workspace ws, FileChannel lockChannel, FileLock lock, ObjectNode state) {
        this.ws = ws;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.state = state;
        this.redactor = redactor();
    }

    /**
     * The redactor the recorder uses: the default rules plus the optional ones named in
     * {@code PRT_REDACTION_OPTIONAL} (as the deployment's Flink job does); fingerprints keyed with
     * {@code PRT_REDACTION_KEY} when set.
     */
    public static Redactor redactor() {
        String key = System.getenv().getOrDefault(KEY_ENV, "prt-redaction-fingerprint-v1");
        return Redactor.defaults(key.getBytes(StandardCharsets.UTF_8), optionalRules(System.getenv("PRT_REDACTION_OPTIONAL")));
    }

    static java.util.Set<String> optionalRules(String list) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (list != null) {
            for (String s : list.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        }
        return out;
    }

    /** Opens the session of {@code ws}, waiting for the lock; an error when there is none. */
    public static Recorder open(Workspace ws) throws IOException {
        if (!Files.exists(ws.session())) {
            throw new IllegalStateException("no session in " + ws.repoRoot() + " (start one with: prt start --task ID --title \"…\")");
        }
        FileChannel ch = FileChannel.open(ws.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock();
        try {
            ObjectNode state = (ObjectNode) StrictJson.parse(Files.readAllBytes(ws.session()));
            Recorder r = new Recorder(ws, ch, lock, state);
            r.recover();
            return r;
        } catch (RuntimeException | IOException e) {
            lock.release();
            ch.close();
            throw e;
        }
    }

    /** Creates a new session's state (the caller has made the workspace) and opens it. */
    public static Recorder create(Workspace ws, ObjectNode initialState) throws IOException {
        initialState.put("next_seq", 0);
        initialState.put("head", (String) null);
        initialState.putObject("last");
        initialState.put("journal_bytes", 0);
        Files2.writeAtomically(ws.session(), StrictJson.bytes(initialState));
        Files2.ownerOnly(ws.session());
        Files.write(ws.journal(), new byte[0], StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        return open(ws);
    }

    public Workspace workspace() {
        return ws;
    }

    public ObjectNode state() {
        return state;
    }

    public String traceId() {
        return state.get("trace_id").asText();
    }

    public boolean finished() {
        return state.path("finished").asBoolean(false);
    }

    public long nextSeq() {
        return state.get("next_seq").asLong();
    }

    public String head() {
        JsonNode h = state.get("head");
        return h == null || h.isNull() ? null : h.asText();
    }

    /** The id of the latest event of a kind: run, test, edit, commit, note, event. */
    public String last(String kind) {
        JsonNode n = state.path("last").get(kind);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** Replaces every NUL character in the tree's strings with U+FFFD, before the event is hashed. */
    static void withoutNul(com.fasterxml.jackson.databind.JsonNode node) {
        if (node instanceof ObjectNode o) {
            var names = new java.util.ArrayList<String>();
            o.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                com.fasterxml.jackson.databind.JsonNode v = o.get(n);
                if (v.isTextual() && v.textValue().indexOf('\u0000') >= 0) {
                    o.put(n, v.textValue().replace('\u0000', '\uFFFD'));
                } else {
                    withoutNul(v);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                com.fasterxml.jackson.databind.JsonNode v = a.get(i);
                if (v.isTextual() && v.textValue().indexOf('\u0000') >= 0) {
                    a.set(i, v.textValue().replace('\u0000', '\uFFFD'));
                } else {
                    withoutNul(v);
                }
            }
        }
    }

    /**
     * Records one event; returns it as journaled. Every string of the payload is redacted
     * first, so the hash covers the redacted text and no secret enters the journal.
     */
    public ObjectNode record(String type, ObjectNode payload) throws IOException {
        if (finished()) {
            throw new IllegalStateException("the session has finished; start a new one with prt start");
        }
        if ("test_run".equals(type)) {
            TestRuns.fitInto(payload, MAX_EVENT_BYTES - 64 * 1024); // the cases are a view of the report artifact
        }
        withoutNul(payload); // a tool's output may hold NUL bytes; the server refuses them (its stores cannot hold them)
        List<ObjectNode> redactions = redactor.redactTree(payload, "/payload");
        HashChain chain = head() == null ? new HashChain(traceId()) : new HashChain(traceId(), nextSeq(), head());
        ObjectNode event = StrictJson.mapper().createObjectNode();
        event.put("id", eventId(nextSeq()));
        event.put("ts_client_s", System.currentTimeMillis() / 1000.0);
        event.put("type", type);
        event.set("payload", payload);
        if (!redactions.isEmpty()) {
            ArrayNode r = event.putArray("redactions");
            redactions.forEach(r::add);
        }
        chain.append(event);
        List<Violation> refused = refusals(event);
        if (!refused.isEmpty()) {
            return recordRefusal(type, payload, refused);
        }
        byte[] line = (StrictJson.toString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        Files2.appendDurably(ws.journal(), line);
        apply(event);
        state.put("journal_bytes", Files.size(ws.journal()));
        saveState();
        return event;
    }

    /**
     * What the gateway would refuse in this event, checked with the gateway's own validator: the
     * chunk schema (and its citation rule) over a chunk holding just this event. Empty when it
     * would be accepted.
     */
    static List<Violation> refusals(ObjectNode event) {
        ObjectNode chunk = StrictJson.mapper().createObjectNode();
        chunk.put("chunk_id", "recorder-check");
        chunk.put("chunk_seq", 0);
        chunk.putArray("events").add(event);
        List<Violation> out = new ArrayList<>(TraceSchemas.get().validate(SchemaName.CHUNK, chunk));
        int bytes = StrictJson.toString(event).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_EVENT_BYTES) {
            out.add(new Violation("/events/0", "maxBytes", "the event is " + bytes + " bytes; a chunk holding it alone would exceed "
                    + "the gateway's body limit (events of at most " + MAX_EVENT_BYTES + " bytes)"));
        }
        return out;
    }

    /**
     * An event the server would refuse is never journaled: one refused event would block every
     * later one of the hash chain. In its place goes a recorder's note saying what could not be
     * recorded and why, and the refusal is kept in the session state for prt status.
     */
    private ObjectNode recordRefusal(String type, ObjectNode payload, List<Violation> refused) throws IOException {
        if (REFUSAL_NOTE.equals(payload.path("source").asText(null)) && "rationale_note".equals(type)) {
            throw new IllegalStateException("the recorder's own note was refused: " + refused);
        }
        StringBuilder why = new StringBuilder();
        for (Violation v : refused.subList(0, Math.min(refused.size(), 5))) {
            why.append(why.isEmpty() ? "" : "; ").append(v.pointer().replaceFirst("^/events/0", "")).append(": ").append(v.message());
        }
        String what = type + (payload.hasNonNull("path") ? " of " + payload.get("path").asText()
                : payload.hasNonNull("command") ? " of `" + payload.get("command").asText() + "`" : "");
        String text = "prt could not record a " + what + ", which the server would refuse (" + why + "); it is left out of the trace";
        if (text.length() > 8000) {
            text = text.substring(0, 7999) + "…";
        }
        ObjectNode refusal = state.putObject("last_refusal");
        refusal.put("type", type);
        refusal.put("what", what);
        refusal.put("why", why.toString());
        refusal.put("at_seq", nextSeq());
        refusal.put("at", System.currentTimeMillis() / 1000.0);
        state.put("refusals", state.path("refusals").asLong(0) + 1);
        ObjectNode note = StrictJson.mapper().createObjectNode();
        note.put("kind", "observation");
        note.put("text", text);
        note.put("source", REFUSAL_NOTE);
        System.err.println("prt: " + text);
        return record("rationale_note", note);
    }

    public static String eventId(long seq) {
        return "ev-" + seq;
    }

    /** Redacts a text the way event strings are (for artifacts: outputs, diffs, patches). */
    public String redactText(String text) {
        return redactor.redact(text).text();
    }

    public void saveState() throws IOException {
        Files2.writeAtomically(ws.session(), StrictJson.bytes(state));
    }

    /** Every journaled event, in order. */
    public List<ObjectNode> events() throws IOException {
        return readJournal(ws);
    }

    public static List<ObjectNode> readJournal(Workspace ws) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.exists(ws.journal())) {
            return out;
        }
        for (String line : Files.readString(ws.journal(), StandardCharsets.UTF_8).split("\n", -1)) {
            if (!line.isEmpty()) {
                out.add((ObjectNode) StrictJson.parse(line));
            }
        }
        return out;
    }

    private void apply(ObjectNode event) {
        long seq = event.get("seq").asLong();
        state.put("next_seq", seq + 1);
        state.put("head", event.get("hash").asText());
        ObjectNode last = (ObjectNode) state.path("last");
        String id = event.get("id").asText();
        last.put("event", id);
        String kind = switch (event.get("type").asText()) {
            case "cmd_run" -> "run";
            case "test_run" -> "test";
            case "file_edit" -> "edit";
            case "commit" -> "commit";
            case "rationale_note" -> "note";
            default -> null;
        };
        if (kind != null) {
            last.put(kind, id);
        }
    }

    /**
     * Repairs what a crash can leave: a torn last journal line (dropped: its event was never
     * acknowledged to anyone) and events journaled after the state was last saved (applied).
     */
    private void recover() throws IOException {
        long size = Files.exists(ws.journal()) ? Files.size(ws.journal()) : 0;
        if (state.has("journal_bytes") && state.get("journal_bytes").asLong() == size) {
            return; // the state has seen every journaled byte
        }
        byte[] bytes = Files.exists(ws.journal()) ? Files.readAllBytes(ws.journal()) : new byte[0];
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end != bytes.length) {
            try (FileChannel ch = FileChannel.open(ws.journal(), StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
        }
        List<ObjectNode> events = readJournal(ws);
        for (ObjectNode e : events) {
            if (e.get("seq").asLong() >= nextSeq()) {
                apply(e);
                if ("file_edit".equals(e.get("type").asText())) {
                    WorkingTree.adoptEdit(ws, e.get("payload"));
                }
            }
        }
        state.put("journal_bytes", Files.size(ws.journal()));
        saveState();
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
