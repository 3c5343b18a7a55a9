package dev.prtelemetry.flink.assembly;

/**
 * One accepted chunk's events, a row of {@code trace_event_chunks}. Rows are per chunk, not
 * per event: PostgreSQL writes are the bottleneck here (../shared/STACK.md: 21–24 k single-event
 * upserts/s against 50–56 k events/s when ten ride in one row), and reads page by seq range.
 */
public class ChunkRow {
    public String traceId;
    public long chunkSeq;
    public long firstSeq;
    public long lastSeq;
    /** The events as one JSON array, UTF-8: bytes, so Flink copies them in bulk (a String goes char by char). */
    public byte[] eventsJson;

    public ChunkRow() {
    }

    public ChunkRow(String traceId, long chunkSeq, long firstSeq, long lastSeq, byte[] eventsJson) {
        this.traceId = traceId;
        this.chunkSeq = chunkSeq;
        this.firstSeq = firstSeq;
        this.lastSeq = lastSeq;
        this.eventsJson = eventsJson;
    }
}
