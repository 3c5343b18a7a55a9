package dev.prtelemetry.qa.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The containment tests on the util-linux sandbox, which every Linux machine has: never skipped. */
class UtilLinuxSandboxTest extends NamespaceSandboxTest {
    static NamespaceSandbox.Detection detection;

    @Override
    NamespaceSandbox.Detection detect() {
        if (detection == null) {
            detection = NamespaceSandbox.detect(NamespaceSandbox.UTIL_LINUX);
        }
        assertThat(detection.sandbox()).as(detection.why()).isNotNull();
        return detection;
    }

    @Test
    void seesOnlyTheSystemFoldersNotHomesOrThisMachinesOtherFiles() throws Exception {
        var r = run(Limits.defaults(), "ls -d /root /home /work /mnt 2>&1; ls /; echo done");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("done").contains("usr").contains("etc")
                .doesNotContain("/root\n").contains("cannot access '/root'").contains("cannot access '/home'")
                .contains("cannot access '/work'");
    }
}
