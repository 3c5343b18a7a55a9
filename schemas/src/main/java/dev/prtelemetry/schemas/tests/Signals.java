package dev.prtelemetry.schemas.tests;

/** POSIX signal names for exit codes 128 + n (as shells and Java report a process a signal ended). */
public final class Signals {
    private Signals() {
    }

    /** The name of signal n without "SIG" (e.g. 9 → KILL), or the number when it has no common name. */
    public static String name(int n) {
        return switch (n) {
            case 1 -> "HUP";
            case 2 -> "INT";
            case 3 -> "QUIT";
            case 6 -> "ABRT";
            case 9 -> "KILL";
            case 11 -> "SEGV";
            case 13 -> "PIPE";
            case 15 -> "TERM";
            case 24 -> "XCPU";
            case 25 -> "XFSZ";
            default -> String.valueOf(n);
        };
    }

    /** The signal behind an exit code, or null when the process exited by itself. */
    public static String ofExitCode(int exit) {
        return exit > 128 && exit < 160 ? name(exit - 128) : null;
    }
}
