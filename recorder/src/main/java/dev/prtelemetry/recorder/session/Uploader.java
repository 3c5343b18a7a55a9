package dev.prtelemetry.recorder.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Sends a session to the gateway from its journal: the creation, then artifacts, then chunks
 * of events in order, then the completion. Its progress lives in {@code .prt/upload.json};
 * a chunk's range is written there before the chunk is sent, so a retry — after a timeout, a
 * crash or days offline — re-sends exactly the same chunk under the same idempotency key, and
 * the server sees each event once, in order. One uploader per session at a time (a file lock).
 */
public final class Uploader {
    static final int MAX_EVENTS_PER_CHUNK = 200;
    static final int MAX_CHUNK_BYTES = 1_000_000;

    public enum Step { PROGRESS, IDLE, DONE }

    private final Workspace ws;
    private final Credentials credentials;
    private final GatewayClient client;
    private final PrintStream log;
    private ObjectNode progress;
    private final List<String> lines = new ArrayList<>();
    private long readBytes;

    public Uploader(Workspace ws, Credentials credentials, PrintStream log) throws IOException {
        this.ws = ws;
        this.credentials = credentials;
        this.client = new GatewayClient(credentials.server());
        this.log = log;
        this.progress = Files.exists(ws.upload()) ? (ObjectNode) StrictJson.parse(Files.readAllBytes(ws.upload()))
                : StrictJson.mapper().createObjectNode();
    }

    /** Holds the uploader lock while {@code body} runs; false (and nothing run) when another uploader has it. */
    public static boolean exclusively(Workspace ws, IoRunnable body) throws IOException {
        try (FileChannel ch = FileChannel.open(ws.uploaderLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return false;
            }
            try {
                body.run();
            } finally {
                lock.release();
            }
            return true;
        }
    }

    @FunctionalInterface
    public interface IoRunnable {
        void run() throws IOException;
    }

    public ObjectNode progress() {
        return progress;
    }

    /** What is still to send: {events, artifacts, created, completed}. */
    public static ObjectNode queued(Workspace ws) throws IOException {
        ObjectNode p = Files.exists(ws.upload()) ? (ObjectNode) StrictJson.parse(Files.readAllBytes(ws.upload()))
                : StrictJson.mapper().createObjectNode();
        long journaled = completeLines(ws).size();
        ObjectNode q = StrictJson.mapper().createObjectNode();
        q.put("created", p.path("created").asBoolean(false));
        q.put("events_journaled", journaled);
        q.put("events_acknowledged", p.path("acked_events").asLong(0));
        q.put("events_queued", journaled - p.path("acked_events").asLong(0));
        q.put("artifacts_queued", pendingArtifacts(ws, p).size());
        q.put("completion_sent", p.path("complete_sent").asBoolean(false));
        if (p.hasNonNull("last_error")) {
            q.put("last_error", p.get("last_error").asText());
        }
        if (p.hasNonNull("refused") && p.hasNonNull("last_error")) {
            q.set("refused", p.get("refused"));
        }
        return q;
    }

    /**
     * Keeps sending until everything is acknowledged (DONE), or there has been nothing to send
     * for {@code idleExitMs}, or {@code deadlineMs} passes. Retryable failures back off
     * exponentially with jitter (0.5 s doubling to 60 s); a refusal that no retry can fix stops it.
     */
    public Step runUntil(long idleExitMs, long deadlineMs) throws IOException {
        long backoff = 500;
        long idleSince = -1;
        while (System.currentTimeMillis() < deadlineMs) {
            Step s;
            try {
                s = step();
                backoff = 500;
                if (progress.hasNonNull("last_error")) {
                    progress.putNull("last_error");
                    progress.remove("refused");
                    save();
                }
            } catch (GatewayClient.CallFailed e) {
                progress.put("last_error", e.getMessage());
                save();
                if (!e.retryable) {
                    noteRefusal(e);
                    log.println("prt: upload stopped: " + e.getMessage());
                    throw e;
                }
                long sleep = Math.min(backoff, Math.max(0, deadlineMs - System.currentTimeMillis()));
                log.println("prt: upload will retry in " + sleep + " ms: " + e.getMessage());
                sleepQuietly(ThreadLocalRandom.current().nextLong(sleep / 2, sleep + 1));
                backoff = Math.min(backoff * 2, 60_000);
                continue;
            }
            if (s == Step.DONE) {
                return s;
            }
            if (s == Step.IDLE) {
                long now = System.currentTimeMillis();
                if (idleSince < 0) {
                    idleSince = now;
                }
                if (now - idleSince >= idleExitMs) {
                    return s;
                }
                sleepQuietly(200);
            } else {
                idleSince = -1;
            }
        }
        return Step.IDLE;
    }

    /**
     * Keeps what a refusal no retry can fix was about, for {@code prt status}: the server's
     * status and words and, for a refused chunk, the first event it named (seq, id, type, path)
     * with the violation's pointer inside that event.
     */
    private void noteRefusal(GatewayClient.CallFailed e) throws IOException {
        ObjectNode r = progress.putObject("refused");
        r.put("status", e.status);
        r.put("message", e.getMessage());
        JsonNode pending = progress.get("pending");
        JsonNode errors = e.problem == null ? null : e.problem.get("errors");
        if (pending == null || pending.isNull() || errors == null || !errors.isArray()) {
            save();
            return;
        }
        r.put("chunk_seq", pending.path("chunk_seq").asLong());
        r.put("first_seq", pending.path("first_seq").asLong());
        r.put("last_seq", pending.path("last_seq").asLong());
        for (JsonNode err : errors) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^/events/(\\d+)(/.*)?$").matcher(err.path("pointer").asText());
            if (!m.matches()) {
                continue;
            }
            long seq = pending.path("first_seq").asLong() + Long.parseLong(m.group(1));
            List<String> lines = journalLines();
            if (seq < lines.size()) {
                JsonNode event = StrictJson.parse(lines.get((int) seq));
                r.put("seq", seq);
                r.put("event_id", event.path("id").asText());
                r.put("event_type", event.path("type").asText());
                if (event.path("payload").hasNonNull("path")) {
                    r.put("event_path", event.path("payload").path("path").asText());
                }
            }
            r.put("pointer", m.group(2) == null ? "" : m.group(2));
            r.put("why", err.path("detail").asText());
            break;
        }
        save();
    }

    /** Does the next piece of work, or says there is none. */
    public Step step() throws IOException {
        ObjectNode session = (ObjectNode) StrictJson.parse(Files.readAllBytes(ws.session()));
        String traceId = session.get("trace_id").asText();
        if (!progress.path("created").asBoolean(false)) {
            create(session);
            return Step.PROGRESS;
        }
        List<String> artifacts = pendingArtifacts(ws, progress);
        if (!artifacts.isEmpty()) {
            String sha = artifacts.get(0);
            withToken(traceId, token -> client.putFile("/v1/traces/" + traceId + "/artifacts/" + sha, token,
                    ws.artifacts().resolve(sha)));
            ArrayNode done = progress.has("artifacts_done") ? (ArrayNode) progress.get("artifacts_done")
                    : progress.putArray("artifacts_done");
            done.add(sha);
            save();
            return Step.PROGRESS;
        }
        List<String> lines = journalLines();
        long acked = progress.path("acked_events").asLong(0);
        if (!progress.hasNonNull("pending") && acked < lines.size()) {
            long last = acked;
            long bytes = 0;
            while (last < lines.size() && last - acked < MAX_EVENTS_PER_CHUNK
                    && (last == acked || bytes + lines.get((int) last).length() < MAX_CHUNK_BYTES)) {
                bytes += lines.get((int) last).length();
                last++;
            }
            ObjectNode pending = progress.putObject("pending");
            pending.put("chunk_seq", progress.path("next_chunk_seq").asLong(0));
            pending.put("first_seq", acked);
            pending.put("last_seq", last - 1);
            save(); // the range is fixed before anything is sent
        }
        if (progress.hasNonNull("pending")) {
            JsonNode pending = progress.get("pending");
            long chunkSeq = pending.get("chunk_seq").asLong();
            int first = pending.get("first_seq").asInt();
            int last = pending.get("last_seq").asInt();
            StringBuilder body = new StringBuilder(64 * (last - first + 1));
            body.append("{\"trace_id\":\"").append(traceId).append("\",\"chunk_id\":\"").append(traceId).append("-c").append(chunkSeq).append("\",\"chunk_seq\":")
                    .append(chunkSeq).append(",\"events\":[");
            for (int i = first; i <= last; i++) {
                body.append(i == first ? "" : ",").append(lines.get(i));
            }
            body.append("]}");
            withToken(traceId, token -> client.postJson("/v1/traces/" + traceId + "/events:ingest", token, body.toString(),
                    traceId + ":" + chunkSeq));
            Path sent = ws.dir().resolve("sent");
            Files.createDirectories(sent);
            Files.writeString(sent.resolve(String.format("chunk-%06d.json", chunkSeq)), body); // what the server took
            progress.put("acked_events", last + 1);
            progress.put("next_chunk_seq", chunkSeq + 1);
            progress.putNull("pending");
            save();
            return Step.PROGRESS;
        }
        if (session.path("finished").asBoolean(false)) {
            if (progress.path("complete_sent").asBoolean(false)) {
                return Step.DONE;
            }
            ObjectNode complete = StrictJson.mapper().createObjectNode();
            complete.put("final_seq", session.get("next_seq").asLong() - 1);
            complete.put("chain_head", session.hasNonNull("head") ? session.get("head").asText()
                    : dev.prtelemetry.schemas.integrity.EventHasher.genesis(traceId));
            if (session.hasNonNull("outcome")) {
                complete.put("outcome", session.get("outcome").asText());
            }
            if (session.hasNonNull("final_patch_ref")) {
                complete.put("final_patch_ref", session.get("final_patch_ref").asText());
            }
            withToken(traceId, token -> client.postJson("/v1/traces/" + traceId + "/complete", token, complete.toString(), null));
            progress.put("complete_sent", true);
            save();
            return Step.DONE;
        }
        return Step.IDLE;
    }

    private void create(ObjectNode session) throws IOException {
        if (credentials.token() == null) {
            throw new GatewayClient.CallFailed("no credential to create the trace with: run prt login (or set PRT_TOKEN)",
                    401, false, null);
        }
        GatewayClient.Response r = client.postJson("/v1/traces", credentials.token(), session.get("create_request").toString(),
                null);
        if (!session.get("trace_id").asText().equals(r.body().path("trace_id").asText())) {
            throw new GatewayClient.CallFailed("the server created trace " + r.body().path("trace_id").asText()
                    + " instead of " + session.get("trace_id").asText() + " (a gateway without client-chosen ids?)", 0, false, null);
        }
        progress.put("created", true);
        progress.put("upload_token", r.body().get("upload_token").asText());
        progress.put("token_expires_at", r.body().path("expires_at").asText());
        save();
        log.println("prt: trace " + session.get("trace_id").asText() + " created on " + client.base());
    }

    @FunctionalInterface
    interface Call {
        GatewayClient.Response run(String token) throws GatewayClient.CallFailed;
    }

    /** Runs a call with the upload token, refreshing it (or re-issuing it) once when it is refused. */
    private GatewayClient.Response withToken(String traceId, Call call) throws IOException {
        try {
            return call.run(progress.path("upload_token").asText());
        } catch (GatewayClient.CallFailed e) {
            if (e.status != 401) {
                throw e;
            }
        }
        String fresh;
        try {
            fresh = client.postJson("/v1/traces/" + traceId + "/token", progress.path("upload_token").asText(), "{}", null)
                    .body().get("upload_token").asText();
        } catch (GatewayClient.CallFailed refused) {
            if (refused.status != 401 && refused.status != 403) {
                throw refused;
            }
            ObjectNode session = (ObjectNode) StrictJson.parse(Files.readAllBytes(ws.session()));
            fresh = client.postJson("/v1/traces", credentials.token(), session.get("create_request").toString(), null)
                    .body().get("upload_token").asText();
        }
        progress.put("upload_token", fresh);
        save();
        return call.run(fresh);
    }

    private void save() throws IOException {
        Files2.writeAtomically(ws.upload(), StrictJson.bytes(progress));
        Files2.ownerOnly(ws.upload());
    }

    /**
     * The journal's complete lines, read incrementally: the journal only grows, so each step
     * reads just the bytes appended since the last one (not the whole file per chunk).
     */
    private List<String> journalLines() throws IOException {
        if (!Files.exists(ws.journal())) {
            return lines;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(ws.journal(),
                java.nio.file.StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < readBytes) {
                throw new IOException("the journal shrank (" + size + " < " + readBytes + " bytes): not the journal this session wrote");
            }
            if (size == readBytes) {
                return lines;
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - readBytes));
            while (buf.hasRemaining() && ch.read(buf, readBytes + buf.position()) > 0) {
                // read what was appended
            }
            byte[] tail = buf.array();
            int end = tail.length;
            while (end > 0 && tail[end - 1] != '\n') {
                end--; // a line being written right now waits for the next step
            }
            for (String line : new String(tail, 0, end, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            readBytes += end;
        }
        return lines;
    }

    /** Journal lines that are complete (a line being written by a recorder right now is not). */
    static List<String> completeLines(Workspace ws) throws IOException {
        if (!Files.exists(ws.journal())) {
            return List.of();
        }
        String all = Files.readString(ws.journal(), StandardCharsets.UTF_8);
        int end = all.lastIndexOf('\n');
        if (end < 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String line : all.substring(0, end).split("\n")) {
            if (!line.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }

    static List<String> pendingArtifacts(Workspace ws, JsonNode progress) throws IOException {
        java.util.Set<String> done = new java.util.HashSet<>();
        progress.path("artifacts_done").forEach(n -> done.add(n.asText()));
        if (!Files.isDirectory(ws.artifacts())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(ws.artifacts())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{64}") && !done.contains(n))
                    .sorted().toList();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
