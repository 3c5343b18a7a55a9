package dev.prtelemetry.schemas.integrity;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Appends events to a trace's chain the way every client must: sets {@code seq},
 * {@code prev_hash} and {@code hash} on an event that has the rest of its members.
 * Not thread-safe; one instance per trace being recorded.
 */
public final class HashChain {
    private final String traceId;
    private long nextSeq;
    private String head;

    public HashChain(String traceId) {
        this(traceId, 0, EventHasher.genesis(traceId));
    }

    /** Continues a chain whose last event was {@code nextSeq - 1} with hash {@code head}. */
    public HashChain(String traceId, long nextSeq, String head) {
        if (!Sha256.isHash(head)) {
            throw new IllegalArgumentException("chain head must be 64 lowercase hex digits");
        }
        this.traceId = traceId;
        this.nextSeq = nextSeq;
        this.head = head;
    }

    /** Chains {@code event} in place and returns it. Any {@code hash} it carried is replaced. */
    public ObjectNode append(ObjectNode event) {
        event.put("seq", nextSeq);
        event.put("prev_hash", head);
        event.remove("hash");
        String hash = EventHasher.hash(event);
        event.put("hash", hash);
        head = hash;
        nextSeq++;
        return event;
    }

    public String traceId() {
        return traceId;
    }

    public long nextSeq() {
        return nextSeq;
    }

    /** Hash of the last appended event, or the genesis value before the first. */
    public String head() {
        return head;
    }
}
