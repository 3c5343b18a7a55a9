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

    @Test
    void everyRulesCanaryIsCaughtInEveryKindOfRecordedText() {
        assertThat(RedactionSelfTest.canaries()).extracting(RedactionSelfTest.Canary::rule)
                .containsExactlyInAnyOrderElementsOf(REDACTOR.rules().stream().map(Redactor.Rule::id).toList());
        ObjectNode recall = RedactionSelfTest.recall(REDACTOR);
        recall.get("rules").fields().forEachRemaining(e ->
                assertThat(e.getValue().get("missed")).as(e.getKey()).isEmpty());
        assertThat(recall.get("recall").asDouble()).isEqualTo(1.0);
        assertThat(recall.get("seeded").asInt()).isEqualTo(17 * 4);
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
