package dev.prtelemetry.flink.assembly;

/** Life of a trace in the assembly: open → receiving → complete | rejected | abandoned. */
public enum TraceStatus {
    OPEN, RECEIVING, COMPLETE, REJECTED, ABANDONED;

    public boolean isFinal() {
        return this == COMPLETE || this == REJECTED || this == ABANDONED;
    }

    public String wireName() {
        return name().toLowerCase();
    }
}
