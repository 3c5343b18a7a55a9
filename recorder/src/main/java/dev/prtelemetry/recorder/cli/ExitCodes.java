package dev.prtelemetry.recorder.cli;

/** What {@code prt} exits with. */
final class ExitCodes {
    static final int OK = 0;
    /** The input is invalid, a chain is broken, or a proof does not hold. */
    static final int INVALID = 1;
    /** Wrong usage (picocli's own code for bad arguments). */
    static final int USAGE = 2;

    private ExitCodes() {
    }
}
