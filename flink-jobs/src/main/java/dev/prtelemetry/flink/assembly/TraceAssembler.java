package dev.prtelemetry.flink.assembly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.v0.V0Events;
import dev.prtelemetry.schemas.integrity.ChainRules;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.redaction.Redactor;
import dev.prtelemetry.schemas.redaction.ServerRedaction;
import dev.prtelemetry.schemas.stream.TraceRecords;
import java.io.Serializable;
import dev.prtelemetry.schemas.model.ArtifactRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The decisions of trace assembly, as plain Java over {@link AssemblyState}: what to do
 * with each record of one trace, and when a gap or an idle trace is given up on. The Flink
 * function around it only moves data between state, timers and outputs.
 *
 * <ul>
 *   <li>a re-sent chunk with the digest already seen is dropped; the same chunk_seq with a
 *       different digest is a conflict and rejects the trace;</li>
 *   <li>chunks ahead of a gap are buffered (bounded) and applied when the gap fills;</li>
 *   <li>each applied event must extend the hash chain ({@link ChainRules}); a broken chain
 *       or a bad note reference rejects the trace, with the reason;</li>
 *   <li>the completion (final seq, chain head) completes the trace once every event up to
 *       its final seq is in and the heads agree;</li>
 *   <li>a gap still open after {@code gapTimeoutMs}, or no completion after
 *       {@code idleTimeoutMs} of silence, abandons the trace with what is missing.</li>
 * </ul>
 */
public final class TraceAssembler implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Timeouts, bounds and the server-side redaction. */
    public record Config(long gapTimeoutMs, long idleTimeoutMs, int maxPendingChunks, RedactionSettings redaction)
            implements Serializable {
        public Config(long gapTimeoutMs, long idleTimeoutMs, int maxPendingChunks) {
            this(gapTimeoutMs, idleTimeoutMs, maxPendingChunks, RedactionSettings.defaults());
        }

        public static Config defaults() {
            return new Config(120_000, 6 * 3_600_000L, 1_000);
        }
    }

    /** A chunk whose events were accepted: its events as a JSON array, seq range inclusive, and when the gateway received it (ms; -1 unknown). */
    public record AppliedChunk(long chunkSeq, long firstSeq, long lastSeq, byte[] eventsJson, long receivedAtMs) {
    }

    /** A record the assembly could not use, and why. */
    public record DeadLetter(String reason, String recordJson) {
    }

    /** What one step decided. */
    public static final class Outcome {
        public final List<AppliedChunk> applied = new ArrayList<>();
        public final List<DeadLetter> deadLetters = new ArrayList<>();
        /** The state changed in a way readers should see (status, counts, reasons). */
        public boolean changed;
        /** The trace reached a final status in this step. */
        public boolean finished;
        /** The trace's header was accepted in this step (the trace opened). */
        public boolean opened;
        /** Re-sent chunks dropped in this step. */
        public long duplicates;
    }

    private final Config config;
    private transient Redactor redactor;

    public TraceAssembler(Config config) {
        this.config = config;
    }

    /** The redactor of this deployment's settings; null when server-side redaction is off. */
    private Redactor redactor() {
        if (redactor == null && config.redaction().enabled()) {
            redactor = config.redaction().redactor();
        }
        return redactor;
    }

    /** A text with what the rules find redacted: for record text that goes to the dead-letter topic. */
    public String scrub(String text) {
        Redactor r = redactor();
        return r == null || text == null ? text : r.redact(text).text();
    }

    public Config config() {
        return config;
    }

    public Outcome onRecord(AssemblyState s, TraceRecord r, long now) {
        Outcome out = new Outcome();
        s.lastActivityMs = now;
        if (s.status.isFinal()) {
            if (TraceRecords.CHUNK.equals(r.kind) && Objects.equals(s.appliedDigests.get(r.chunkSeq), r.digest)) {
                s.duplicatesDropped++;
                out.duplicates++;
            } else {
                out.deadLetters.add(new DeadLetter("trace " + s.traceId + " is already " + s.status.wireName()
                        + "; a " + r.kind + " record arrived after it ended", r.text()));
            }
            return out;
        }
        try {
            switch (r.kind) {
                case TraceRecords.HEADER -> onHeader(s, r, out);
                case TraceRecords.CHUNK -> onChunk(s, r, now, out);
                case TraceRecords.COMPLETE -> onComplete(s, r, out);
                default -> out.deadLetters.add(new DeadLetter("unknown record kind '" + r.kind + "'", r.text()));
            }
        } catch (CanonicalizationException e) {
            // a record the gateway would never write; routed by its headers, unreadable in its body
            out.deadLetters.add(new DeadLetter("unreadable " + r.kind + " record: " + e.getMessage(), r.text()));
        }
        if (!s.status.isFinal()) {
            tryFinish(s, now, out);
        }
        if (out.finished && s.endedAtS < 0) {
            s.endedAtS = s.lastReceivedAtS >= 0 ? s.lastReceivedAtS : now / 1000.0;
        }
        if (out.changed) {
            s.version++;
        }
        return out;
    }

    /** Gives up on a gap or an idle trace when their time has come. */
    public Outcome onTimer(AssemblyState s, long now) {
        Outcome out = new Outcome();
        if (s.status.isFinal()) {
            return out;
        }
        if (s.gapDeadlineMs > 0 && now >= s.gapDeadlineMs) {
            end(s, TraceStatus.ABANDONED, describeGap(s), out);
        } else if (now - s.lastActivityMs >= config.idleTimeoutMs()) {
            end(s, TraceStatus.ABANDONED, "no activity for " + (now - s.lastActivityMs) / 1000
                    + " s and no completion; events up to seq " + (s.chain.nextSeq - 1) + " were received", out);
        }
        if (out.finished && s.endedAtS < 0) {
            s.endedAtS = now / 1000.0;
        }
        if (out.changed) {
            s.version++;
        }
        return out;
    }

    /** When the function should next call {@link #onTimer}: the gap deadline or the idle limit. */
    public long nextTimerMs(AssemblyState s) {
        // The idle check is rounded up to 10 s, so a busy trace does not move its timer on every record.
        long idle = ((s.lastActivityMs + config.idleTimeoutMs()) / 10_000 + 1) * 10_000;
        return s.gapDeadlineMs > 0 ? Math.min(s.gapDeadlineMs, idle) : idle;
    }

    private void onHeader(AssemblyState s, TraceRecord r, Outcome out) {
        JsonNode headerRecord = StrictJson.parseAccepted(r.body);
        noteReceivedAt(s, headerRecord);
        JsonNode headerNode = headerRecord.path("header");
        if (headerNode instanceof ObjectNode h && redactor() != null) {
            ServerRedaction.redactHeader(redactor(), h); // task text, repo URL, environment: before any store
        }
        String header = headerNode.toString();
        if (s.headerJson == null) {
            s.headerJson = header;
            s.participantId = headerNode.path("participant_id").textValue();
            s.taskId = headerNode.path("task_id").textValue();
            s.repoOrigin = headerNode.path("repo_origin").textValue();
            out.opened = true;
            s.createdAtS = headerNode.path("created_at").isNumber() ? headerNode.path("created_at").doubleValue() : -1;
            collectArtifacts(s, header);
            out.changed = true;
        } else if (!s.headerJson.equals(header)) {
            out.deadLetters.add(new DeadLetter("a different header for trace " + s.traceId + " was ignored", r.text()));
        }
    }

    private void onChunk(AssemblyState s, TraceRecord r, long now, Outcome out) {
        long seq = r.chunkSeq;
        String applied = s.appliedDigests.get(seq);
        String pending = s.pendingDigests.get(seq);
        String known = applied != null ? applied : pending;
        if (known != null) {
            if (known.equals(r.digest)) {
                s.duplicatesDropped++;
                out.duplicates++;
            } else {
                end(s, TraceStatus.REJECTED, "chunk_seq " + seq + " was re-sent with different content (digest "
                        + r.digest + ", first " + known + ")", out);
            }
            return;
        }
        if (seq < s.nextChunkSeq) {
            end(s, TraceStatus.REJECTED, "chunk_seq " + seq + " arrived after chunk_seq " + (s.nextChunkSeq - 1)
                    + " was applied, with no record of it", out);
            return;
        }
        if (seq > s.nextChunkSeq) {
            if (s.pendingChunks.size() >= config.maxPendingChunks()) {
                end(s, TraceStatus.REJECTED, "more than " + config.maxPendingChunks()
                        + " chunks arrived ahead of missing chunk_seq " + s.nextChunkSeq, out);
                return;
            }
            s.pendingChunks.put(seq, r.text());
            s.pendingDigests.put(seq, r.digest);
            if (s.gapDeadlineMs == 0) {
                s.gapDeadlineMs = now + config.gapTimeoutMs();
            }
            out.changed = true;
            return;
        }
        if (!apply(s, seq, r.digest, r.body, out)) {
            return;
        }
        while (s.pendingChunks.containsKey(s.nextChunkSeq)) {
            long next = s.nextChunkSeq;
            String json = s.pendingChunks.remove(next);
            String digest = s.pendingDigests.remove(next);
            if (!apply(s, next, digest, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), out)) {
                return;
            }
        }
        if (s.pendingChunks.isEmpty()) {
            s.gapDeadlineMs = 0;
        }
    }

    /** Applies the next chunk's events to the chain; false when the chain broke (trace rejected). */
    private boolean apply(AssemblyState s, long chunkSeq, String digest, byte[] recordJson, Outcome out) {
        // the gateway wrote this record after its strict checks: read once, without re-checking them
        JsonNode record = StrictJson.parseAccepted(recordJson);
        JsonNode events = record.path("chunk").path("events");
        if (!events.isArray()) {
            end(s, TraceStatus.REJECTED, "chunk_seq " + chunkSeq + " has no events list", out);
            return false;
        }
        List<JsonNode> list = new ArrayList<>(events.size());
        events.forEach(list::add);
        long first = s.chain.nextSeq;
        JsonNode receivedAt = record.path("received_at");
        noteReceivedAt(s, record);
        // one keyword pass over the chunk's text picks the rules that could fire in it (usually none)
        Redactor redact = redactor() == null ? null : redactor().candidatesFor(recordJson);
        // format v0 (the replaced system's events: no payload, no hashes): translated, and chained here
        String chain = V0Events.isV0Chunk(record.path("chunk")) ? AssemblyState.CHAIN_SERVER : AssemblyState.CHAIN_CLIENT;
        if (s.chainSource == null) {
            s.chainSource = chain;
        } else if (!s.chainSource.equals(chain)) {
            end(s, TraceStatus.REJECTED, "chunk_seq " + chunkSeq + " has " + (chain.equals(AssemblyState.CHAIN_SERVER)
                    ? "format v0 events (no hashes)" : "hashed v1 events") + ", but the trace began with "
                    + (chain.equals(AssemblyState.CHAIN_SERVER) ? "hashed v1 events" : "format v0 events")
                    + ": a trace's events are in one format", out);
            return false;
        }
        List<String> originals = chain.equals(AssemblyState.CHAIN_SERVER) ? V0Events.elementTexts(recordJson, "chunk", "events") : null;
        for (int i = 0; i < list.size(); i++) {
            if (originals != null) {
                if (!V0Events.isV0(list.get(i))) {
                    end(s, TraceStatus.REJECTED, "chunk_seq " + chunkSeq + ": event " + i + " has hashes but the chunk's first"
                            + " event is format v0: a chunk's events are in one format", out);
                    return false;
                }
                // the translation, chained onto the head; the original text rides in it, covered by its hash
                ObjectNode translated = V0Events.translateAndChain(originals.get(i), s.chain.head);
                ((ArrayNode) events).set(i, translated);
                list.set(i, translated);
            }
            if (receivedAt.isNumber() && list.get(i).isObject()) {
                // the gateway's receive time, outside the hash; a client's own value is replaced
                ((ObjectNode) list.get(i)).set("ts_server_s", receivedAt);
            }
            if (ServerRedaction.isRedacted(list.get(i))) {
                end(s, TraceStatus.REJECTED, "chunk_seq " + chunkSeq + ": event seq " + list.get(i).path("seq").asText()
                        + " carries " + ServerRedaction.MEMBER + ", which only the assembly writes", out);
                return false;
            }
            // a translation made just above is not translated again to be checked; any other event is checked whole
            ChainVerdict failure = ChainRules.accept(s.chain, list.get(i), list.subList(i + 1, list.size()), null, originals == null);
            if (failure != null) {
                end(s, TraceStatus.REJECTED, "chunk_seq " + chunkSeq + ": " + failure.reason(), out);
                return false;
            }
            // the hash was checked on the event as sent; now secrets go before anything is stored
            if (redact != null && list.get(i) instanceof ObjectNode event) {
                ServerRedaction.redactEvent(redact, event);
            }
            s.metrics.add(list.get(i));
        }
        s.appliedDigests.put(chunkSeq, digest);
        s.nextChunkSeq = chunkSeq + 1;
        collectArtifacts(s, recordJson);
        if (s.status == TraceStatus.OPEN) {
            s.status = TraceStatus.RECEIVING;
        }
        out.applied.add(new AppliedChunk(chunkSeq, first, s.chain.nextSeq - 1, StrictJson.bytes(events),
                receivedAt.isNumber() ? Math.round(receivedAt.doubleValue() * 1000) : -1));
        out.changed = true;
        return true;
    }

    private void onComplete(AssemblyState s, TraceRecord r, Outcome out) {
        JsonNode completeRecord = StrictJson.parseAccepted(r.body);
        noteReceivedAt(s, completeRecord);
        JsonNode c = completeRecord.path("complete");
        if (c.isObject() && c.isEmpty()) {
            // a completion without a body (the replaced system's clients): the trace ends at the last event received
            if (s.completeJson == null) {
                s.completeJson = "{}";
                s.completeAtLastReceived = true;
                out.changed = true;
            } else if (!s.completeAtLastReceived) {
                out.deadLetters.add(new DeadLetter("a completion without a body for trace " + s.traceId
                        + " was ignored: it was completed with a final_seq already", r.text()));
            }
            return;
        }
        if (!c.path("final_seq").canConvertToExactIntegral() || !c.path("chain_head").isTextual()) {
            out.deadLetters.add(new DeadLetter("a complete record needs complete.final_seq and complete.chain_head", r.text()));
            return;
        }
        String complete = c.toString();
        if (s.completeAtLastReceived) {
            out.deadLetters.add(new DeadLetter("a completion with final_seq for trace " + s.traceId
                    + " was ignored: it was completed without a body already", r.text()));
            return;
        }
        if (s.completeJson == null) {
            s.completeJson = complete;
            s.finalSeq = c.path("final_seq").asLong();
            s.claimedHead = c.path("chain_head").asText();
            out.changed = true;
        } else if (!s.completeJson.equals(complete)) {
            out.deadLetters.add(new DeadLetter("a different completion for trace " + s.traceId + " was ignored", r.text()));
        }
    }

    private void tryFinish(AssemblyState s, long now, Outcome out) {
        if (s.completeJson == null) {
            return;
        }
        long have = s.chain.nextSeq - 1;
        if (s.completeAtLastReceived) {
            // every chunk acknowledged before the completion precedes it in the trace's partition: once none
            // is missing (no gap), the last event received is the last event
            if (s.pendingChunks.isEmpty()) {
                s.finalSeq = have;
                s.claimedHead = s.chain.head;
                end(s, TraceStatus.COMPLETE, null, out);
            } else if (s.gapDeadlineMs == 0) {
                s.gapDeadlineMs = now + config.gapTimeoutMs();
            }
            return;
        }
        long finalSeq = s.finalSeq;
        if (have > finalSeq) {
            end(s, TraceStatus.REJECTED, "events continue to seq " + have + " past the completion's final_seq " + finalSeq, out);
        } else if (have == finalSeq && s.pendingChunks.isEmpty()) {
            String claimed = s.claimedHead;
            if (claimed.equals(s.chain.head)) {
                end(s, TraceStatus.COMPLETE, null, out);
            } else {
                end(s, TraceStatus.REJECTED, "the completion's chain_head " + claimed
                        + " is not the assembled chain head " + s.chain.head, out);
            }
        } else if (s.gapDeadlineMs == 0) {
            s.gapDeadlineMs = now + config.gapTimeoutMs(); // completion is in, events are not
        }
    }

    private static String describeGap(AssemblyState s) {
        if (!s.pendingChunks.isEmpty()) {
            return "chunk_seq " + s.nextChunkSeq + " never arrived; chunks " + new TreeSet<>(s.pendingChunks.keySet())
                    + " were waiting behind it";
        }
        long finalSeq = s.finalSeq;
        return "events seq " + s.chain.nextSeq + ".." + finalSeq + " never arrived (the completion says final_seq "
                + finalSeq + ")";
    }

    private static void noteReceivedAt(AssemblyState s, JsonNode record) {
        JsonNode at = record.path("received_at");
        if (at.isNumber()) {
            s.lastReceivedAtS = at.doubleValue();
        }
    }

    /** Adds the artifact references a text cites to the trace's sorted list (refs are ASCII; most chunks have none). */
    static void collectArtifacts(AssemblyState s, byte[] utf8) {
        if (indexOf(utf8, PREFIX_BYTES) < 0) {
            return;
        }
        collectArtifacts(s, new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static final byte[] PREFIX_BYTES = ArtifactRef.PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (hay[i] != needle[0]) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static void collectArtifacts(AssemblyState s, String text) {
        if (!text.contains(ArtifactRef.PREFIX)) {
            return;
        }
        Matcher m = ArtifactRef.PATTERN.matcher(text);
        while (m.find()) {
            int at = Collections.binarySearch(s.artifacts, m.group());
            if (at < 0) {
                s.artifacts.add(-at - 1, m.group());
            }
        }
    }

    private static void end(AssemblyState s, TraceStatus status, String reason, Outcome out) {
        s.status = status;
        if (reason != null) {
            s.reasons.add(reason);
        }
        s.pendingChunks.clear();
        s.pendingDigests.clear();
        s.gapDeadlineMs = 0;
        out.changed = true;
        out.finished = true;
    }
}
