package dev.prtelemetry.qa.sandbox;

import java.util.Map;

/**
 * Picks the sandbox for this machine: Docker when an engine is configured
 * ({@code PRT_DOCKER_HOST}, else {@code DOCKER_HOST}) and answers, with the image
 * {@code PRT_SANDBOX_IMAGE} (default {@code python:3.11-slim}); else the Linux-namespace
 * sandbox, built by bubblewrap when it is installed and works, else by util-linux
 * ({@code unshare}, {@code setpriv}, {@code prlimit}); else none — and then nothing runs (the
 * verdict says "no sandbox" and the trace waits): never unsandboxed.
 * {@code PRT_SANDBOX=docker|namespace|bubblewrap|util-linux} forces one.
 */
public final class Sandboxes {
    public static final String DEFAULT_IMAGE = "python:3.11-slim";

    private Sandboxes() {
    }

    /** The sandbox chosen (null when none can be used) and why, in words for {@code prt doctor}. */
    public record Choice(Sandbox sandbox, String why) {
    }

    public static Sandbox pick() {
        return pick(System.getenv());
    }

    public static Sandbox pick(Map<String, String> env) {
        return choose(env).sandbox();
    }

    public static Choice choose() {
        return choose(System.getenv());
    }

    public static Choice choose(Map<String, String> env) {
        String forced = env.get("PRT_SANDBOX");
        if (forced != null && !forced.matches("docker|namespace|bubblewrap|util-linux")) {
            return new Choice(null, "PRT_SANDBOX=" + forced + " is not a sandbox (docker, namespace, bubblewrap or util-linux)");
        }
        String host = env.getOrDefault("PRT_DOCKER_HOST", env.get("DOCKER_HOST"));
        String dockerWhy;
        if (forced != null && !forced.equals("docker")) {
            dockerWhy = "PRT_SANDBOX=" + forced;
        } else if (host == null) {
            dockerWhy = "no Docker engine is configured (DOCKER_HOST)";
        } else {
            DockerSandbox docker = DockerSandbox.detect(host, env.getOrDefault("PRT_SANDBOX_IMAGE", DEFAULT_IMAGE));
            if (docker != null) {
                return new Choice(docker, "docker sandbox: the Docker engine at " + host + " answers");
            }
            dockerWhy = "the Docker engine at " + host + " does not answer";
        }
        if ("docker".equals(forced)) {
            return new Choice(null, "PRT_SANDBOX=docker, but " + dockerWhy);
        }
        String tool = forced == null || forced.equals("namespace") ? null : forced;
        NamespaceSandbox.Detection d = NamespaceSandbox.detect(tool);
        return new Choice(d.sandbox(), (d.sandbox() != null ? "namespace sandbox by " : "no namespace sandbox: ") + d.why()
                + (forced == null ? " (" + dockerWhy + ")" : " (PRT_SANDBOX=" + forced + ")"));
    }
}
