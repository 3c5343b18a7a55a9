package dev.prtelemetry.qa.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The containment tests on bubblewrap (skipped, saying so, where it is not installed). */
class BubblewrapSandboxTest extends NamespaceSandboxTest {
    static NamespaceSandbox.Detection detection;

    @Override
    NamespaceSandbox.Detection detect() {
        if (detection == null) {
            detection = NamespaceSandbox.detect(NamespaceSandbox.BUBBLEWRAP);
        }
        assumeTrue(detection.sandbox() != null, detection.why() + " (apt-get install bubblewrap)");
        return detection;
    }
}
