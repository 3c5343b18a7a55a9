package dev.prtelemetry.qa.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which sandbox is chosen, and the words that say why ({@code prt doctor} prints them). */
class SandboxesTest {
    @Test
    void withoutDockerTheNamespaceSandboxIsChosenAndSaysByWhat() {
        Sandboxes.Choice c = Sandboxes.choose(Map.of());
        assertThat(c.sandbox()).isNotNull();
        assertThat(c.sandbox().kind()).isEqualTo("namespace");
        assertThat(c.why()).startsWith("namespace sandbox by " + c.sandbox().tool()).contains("no Docker engine is configured (DOCKER_HOST)");
    }

    @Test
    void utilLinuxCanBeForcedAndSaysSo() {
        Sandboxes.Choice c = Sandboxes.choose(Map.of("PRT_SANDBOX", "util-linux"));
        assertThat(c.sandbox().tool()).isEqualTo("util-linux");
        assertThat(c.why()).contains("util-linux (unshare, setpriv, prlimit)").contains("PRT_SANDBOX=util-linux");
    }

    @Test
    void anUnknownOrUnavailableChoiceIsNoSandboxWithTheReason() {
        Sandboxes.Choice bogus = Sandboxes.choose(Map.of("PRT_SANDBOX", "chroot"));
        assertThat(bogus.sandbox()).isNull();
        assertThat(bogus.why()).contains("PRT_SANDBOX=chroot is not a sandbox");
        Sandboxes.Choice docker = Sandboxes.choose(Map.of("PRT_SANDBOX", "docker"));
        assertThat(docker.sandbox()).isNull();
        assertThat(docker.why()).isEqualTo("PRT_SANDBOX=docker, but no Docker engine is configured (DOCKER_HOST)");
        Sandboxes.Choice deaf = Sandboxes.choose(Map.of("DOCKER_HOST", "tcp://127.0.0.1:9"));
        assertThat(deaf.sandbox()).isNotNull();
        assertThat(deaf.why()).contains("the Docker engine at tcp://127.0.0.1:9 does not answer");
    }
}
