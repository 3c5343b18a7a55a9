package dev.prtelemetry.flink.assembly;

import dev.prtelemetry.schemas.integrity.ChainState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the assembly keeps for one trace between records: hashes, counters and the
 * header — not the accepted events, which go to their chunk rows as they are applied (the
 * document is built from those rows when the trace ends), so a checkpoint carries a few
 * kilobytes per open trace plus its event hashes. Chunks waiting behind a gap are the one
 * exception (bounded). A POJO: no Kryo.
 */
public class AssemblyState {
    public String traceId;
    public TraceStatus status = TraceStatus.OPEN;
    /** The header record's {@code header} object, as JSON text; null until it arrives. */
    public String headerJson;
    /** From the header, so a row needs no parse of it. */
    public String participantId;
    public String taskId;
    /** The header's repo_origin (after redaction), for the metrics per repository. */
    public String repoOrigin;
    /** The gateway's creation time (header {@code created_at}, epoch seconds); it names the document's day. */
    public double createdAtS = -1;
    /** Artifact references the applied events cite ({@code artifact://sha256/…}), sorted. */
    public List<String> artifacts = new ArrayList<>();
    public long nextChunkSeq;
    /** Digests of the chunks applied so far, by chunk_seq: a re-send with the same digest is dropped. */
    public Map<Long, String> appliedDigests = new HashMap<>();
    /** Chunks that arrived ahead of a gap, by chunk_seq: their record JSON. */
    public Map<Long, String> pendingChunks = new HashMap<>();
    public Map<Long, String> pendingDigests = new HashMap<>();
    public ChainState chain;
    public TraceMetrics metrics = new TraceMetrics();
    /** The completion record's {@code complete} object, as JSON text; null until it arrives. */
    public String completeJson;
    /** From the completion: its final seq (-1 until it arrives) and claimed chain head. */
    public long finalSeq = -1;
    public String claimedHead;
    public List<String> reasons = new ArrayList<>();
    /**
     * Who chained the events: {@link #CHAIN_CLIENT} (v1 events, hashed by the recorder and checked here) or
     * {@link #CHAIN_SERVER} (format v0 events, translated and chained here as they arrived); null before the first chunk.
     */
    public String chainSource;
    /** The completion came without a body: the trace ends at the last event received once no chunk is missing. */
    public boolean completeAtLastReceived;
    public static final String CHAIN_CLIENT = "client";
    public static final String CHAIN_SERVER = "server";
    public long duplicatesDropped;
    public long firstSeenMs;
    public long lastActivityMs;
    /** When a gap (missing chunk or events) is given up on; 0 when there is no gap. */
    public long gapDeadlineMs;
    /** The gateway's receive time of the latest record (epoch seconds; -1 before one carried it). */
    public double lastReceivedAtS = -1;
    /**
     * When the trace ended (epoch seconds; -1 while open): the receive time of the record that ended it, so a
     * replay of the same records builds the same document byte for byte; the timer's time when a timeout ended it.
     */
    public double endedAtS = -1;
    /** Bumped on every change, so sinks apply updates in order and replays are no-ops. */
    public long version;

    public AssemblyState() {
    }

    public static AssemblyState start(String traceId, long now) {
        AssemblyState s = new AssemblyState();
        s.traceId = traceId;
        s.chain = ChainState.start(traceId);
        s.firstSeenMs = now;
        s.lastActivityMs = now;
        return s;
    }
}
