package dev.prtelemetry.qa.sandbox;

/**
 * Picks the sandbox for this machine: Docker when it is configured and answers, else the
 * Linux-namespace sandbox when bubblewrap works, else none — and then nothing runs (the
 * verdict says "no sandbox"); never unsandboxed.
 */
public final class Sandboxes {
    private Sandboxes() {
    }

    public static Sandbox pick() {
        return NamespaceSandbox.detect();
    }
}
