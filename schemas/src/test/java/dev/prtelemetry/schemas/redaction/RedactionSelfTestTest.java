package dev.prtelemetry.schemas.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The redaction canary check: full recall on the seeded set, no false positives in this project's tree. */
class RedactionSelfTestTest {
    static final Redactor REDACTOR = Redactor.defaults("canary-key".getBytes(StandardCharsets.UTF_8));

    static final Redactor WITH_OPTIONAL = Redactor.defaults("canary-key".getBytes(StandardCharsets.UTF_8),
            Set.copyOf(Redactor.optionalRules()));

    @Test
    void everyRulesCanaryIsCaughtInEveryKindOfRecordedText() {
        assertThat(Redactor.optionalRules()).containsExactly("email-address", "ipv4-address");
        assertThat(RedactionSelfTest.canaries()).extracting(RedactionSelfTest.Canary::rule)
                .containsExactlyInAnyOrderElementsOf(WITH_OPTIONAL.rules().stream().map(Redactor.Rule::id).toList());
        for (Redactor r : new Redactor[] {REDACTOR, WITH_OPTIONAL}) {
            ObjectNode recall = RedactionSelfTest.recall(r);
            recall.get("rules").fields().forEachRemaining(e ->
                    assertThat(e.getValue().get("missed")).as(e.getKey()).isEmpty());
            assertThat(recall.get("recall").asDouble()).isEqualTo(1.0);
            assertThat(recall.get("seeded").asInt()).isEqualTo(r.rules().size() * 4);
        }
        assertThat(REDACTOR.rules()).hasSize(17);
        assertThat(WITH_OPTIONAL.rules()).hasSize(19);
    }

    @Test
    void optionalRulesAreOffUnlessNamedAndUnknownNamesAreRefused() {
        String text = "mail ada.lovelace@example.org from 203.0.113.47; psql postgres://app:S3cr3tPassw0rd@db.example.com/x";
        assertThat(REDACTOR.redact(text).text()).contains("ada.lovelace@example.org", "203.0.113.47");
        Redactor.Result r = WITH_OPTIONAL.redact(text);
        assertThat(r.text()).doesNotContain("ada.lovelace@example.org", "203.0.113.47", "S3cr3tPassw0rd");
        // a password in a URL stays the password rule's, though the e-mail pattern also starts there
        assertThat(r.redactions()).extracting(Redactor.Redaction::rule)
                .containsExactly("email-address", "ipv4-address", "password-in-url");
        // versions and loopback are no addresses
        assertThat(WITH_OPTIONAL.find("version 1.2.3 and v10.0.0.1-rc; listen on 127.0.0.1:8000; RFC 8785 §3.2.2.3")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Redactor.defaults(new byte[1], Set.of("phone-number")))
                .hasMessageContaining("phone-number").hasMessageContaining("email-address");
    }

    @Test
    void thisProjectsOwnSourceTreeHasNoFalsePositives() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Set<String> fixtures = new HashSet<>();
        for (String line : Files.readAllLines(root.resolve(".prt-redaction-fixtures"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                fixtures.add(line.strip());
            }
        }
        ObjectNode scan = RedactionSelfTest.scan(REDACTOR, root, fixtures);
        assertThat(scan.get("false_positives")).as(scan.toPrettyString()).isEmpty();
        assertThat(scan.get("files_scanned").asInt()).isGreaterThan(200);
        assertThat(scan.get("fixture_findings").size()).isPositive(); // the fixtures do hold secrets: the scan sees them
    }
}
