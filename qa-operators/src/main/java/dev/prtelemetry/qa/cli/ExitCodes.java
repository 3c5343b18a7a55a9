package dev.prtelemetry.qa.cli;

/** What {@code prt qa} exits with: the same codes as the recorder's {@code prt}. */
final class ExitCodes {
    static final int OK = 0;
    /** The input is invalid, a chain is broken, or a proof does not hold. */
    static final int INVALID = 1;
    /** Wrong usage (picocli's own code for bad arguments). */
    static final int USAGE = 2;

    private ExitCodes() {
    }
}
