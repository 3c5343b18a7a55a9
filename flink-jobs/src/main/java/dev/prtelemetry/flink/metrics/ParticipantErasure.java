package dev.prtelemetry.flink.metrics;

/** A participant's data was erased on request at {@link #erasedAtMs}: read from an erase record on the trace records topic. */
public class ParticipantErasure {
    public String participantId;
    public long erasedAtMs;

    public ParticipantErasure() {
    }

    public ParticipantErasure(String participantId, long erasedAtMs) {
        this.participantId = participantId;
        this.erasedAtMs = erasedAtMs;
    }
}
