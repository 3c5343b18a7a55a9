package dev.prtelemetry.schemas.integrity;

/** Why a trace's events do not form an intact chain. The wire names are stable. */
public enum ChainFailure {
    /** The event's content does not hash to its {@code hash}, or its {@code prev_hash} is not its predecessor's hash. */
    TAMPERED("tampered"),
    /** A seq is absent from the trace. */
    MISSING("missing"),
    /** Every seq is present, but not in order. */
    REORDERED("reordered"),
    /** A seq or an event id occurs twice. */
    DUPLICATE("duplicate"),
    /** Event seq 0 does not chain from the trace id. */
    BAD_GENESIS("bad-genesis"),
    /** A rationale note cites an event that does not exist or comes later. */
    BAD_REF("bad-ref"),
    /** An event lacks the members every event has ({@code id}, {@code seq}, {@code type}, hashes). */
    MALFORMED("malformed"),
    /** The trace's integrity block disagrees with its events. */
    BAD_INTEGRITY("bad-integrity");

    private final String wireName;

    ChainFailure(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
