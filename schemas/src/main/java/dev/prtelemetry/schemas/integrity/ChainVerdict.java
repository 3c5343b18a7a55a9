package dev.prtelemetry.schemas.integrity;

/**
 * Outcome of checking a trace's events. When intact, {@code head} is the last event's hash
 * (or the genesis value of an empty trace) and {@code merkleRoot} the RFC 6962 root over
 * all event hashes. When not, {@code failedSeq} is the first seq at which the chain stops
 * holding (-1 when the fault is not at one event, e.g. the integrity block).
 */
public record ChainVerdict(
        boolean intact,
        int eventCount,
        String head,
        String merkleRoot,
        long failedSeq,
        ChainFailure failure,
        String detail) {

    public static ChainVerdict intact(int eventCount, String head, String merkleRoot) {
        return new ChainVerdict(true, eventCount, head, merkleRoot, -1, null, null);
    }

    public static ChainVerdict failed(long seq, ChainFailure failure, String detail) {
        return new ChainVerdict(false, 0, null, null, seq, failure, detail);
    }

    /** One line for people: {@code OK <n> events head=<hex> merkle=<hex>} or {@code FAIL seq=<n> <reason>: <detail>}. */
    public String summary() {
        if (intact) {
            return "OK " + eventCount + " events head=" + head + " merkle=" + merkleRoot;
        }
        return "FAIL " + reason();
    }

    /** For a failure, {@code seq=<n> <reason>: <detail>} (no seq when the fault is not at one event). */
    public String reason() {
        if (intact) {
            return "intact";
        }
        String where = failedSeq >= 0 ? "seq=" + failedSeq + " " : "";
        return where + failure.wireName() + ": " + detail;
    }
}
