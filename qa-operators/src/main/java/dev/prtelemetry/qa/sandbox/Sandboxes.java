package dev.prtelemetry.qa.sandbox;

import java.util.Map;

/**
 * Picks the sandbox for this machine: Docker when an engine is configured
 * ({@code PRT_DOCKER_HOST}, else {@code DOCKER_HOST}) and answers, with the image
 * {@code PRT_SANDBOX_IMAGE} (default {@code python:3.11-slim}); else the Linux-namespace
 * sandbox when bubblewrap works; else none — and then nothing runs (the verdict says
 * "no sandbox" and the trace waits): never unsandboxed. {@code PRT_SANDBOX=namespace|docker}
 * forces one.
 */
public final class Sandboxes {
    public static final String DEFAULT_IMAGE = "python:3.11-slim";

    private Sandboxes() {
    }

    public static Sandbox pick() {
        return pick(System.getenv());
    }

    public static Sandbox pick(Map<String, String> env) {
        String forced = env.get("PRT_SANDBOX");
        String host = env.getOrDefault("PRT_DOCKER_HOST", env.get("DOCKER_HOST"));
        if (!"namespace".equals(forced) && host != null) {
            DockerSandbox docker = DockerSandbox.detect(host, env.getOrDefault("PRT_SANDBOX_IMAGE", DEFAULT_IMAGE));
            if (docker != null || "docker".equals(forced)) {
                return docker;
            }
        }
        return "docker".equals(forced) ? null : NamespaceSandbox.detect();
    }
}
