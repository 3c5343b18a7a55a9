package dev.prtelemetry.schemas.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RedactorTest {
    static final Redactor REDACTOR = Redactor.defaults("test-key".getBytes(StandardCharsets.UTF_8));

    /** Fake secrets of each rule (made up here; none is live), each inside a realistic line. */
    static final Map<String, String> SEEDED = Map.ofEntries(
            Map.entry("aws-access-key-id", "export AWS_ACCESS_KEY_ID=AKIAQ7HZ3KXJ5N2MWR4T"),
            Map.entry("aws-secret-access-key", "aws_secret_access_key = Zp4Xq8Lm2Vn7Rt1Ks9Wd3Hf6Jc0Gb5Ya8Ue2Ti4O"),
            Map.entry("gcp-api-key", "url = 'https://maps.example/api?key=AIzaSyD3f8K2mN9qR4tV7wX1yZ5bC6dE0gH2jLk'"),
            Map.entry("azure-storage-key", "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=q9Zr3Tx8Vm2Lp7Kd4Hs6Jf1Gc0Bn5Wa8Ye2Ui4Oq7Rt3Ex9Mz1Np6Lk2Jh5Gf8Dc0Sa==;"),
            Map.entry("github-token", "git clone https://x:ghp_9fK2mQ7zR4tV8wX1yZ5bC6dE0gH3jLkN8pQs@github.com/o/r"),
            Map.entry("gitlab-token", "GITLAB_TOKEN=glpat-Xk9mQ2zR7tV4wY1bC5dE"),
            Map.entry("slack-token", "SLACK_BOT=xoxb-2048193847-8472918374-Hq8Zk2mR9tV4wX7yB1cD5eF"),
            Map.entry("stripe-key", "stripe.api_key = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc9Kx2\""),
            Map.entry("openai-key", "OPENAI_API_KEY=sk-proj-Zq8Lm2Vn7Rt1Ks9Wd3Hf6Jc0Gb5Ya8Ue2Ti4Oq"),
            Map.entry("anthropic-key", "ANTHROPIC_API_KEY=sk-ant-api03-" + "Zq8Lm2Vn7Rt1Ks9Wd3Hf6Jc0Gb5Ya8Ue2Ti4OqXk9mQ2zR7tV4wY1bC5dEq9Zr3Tx8Vm2Lp7Kd4Hs6Jf1Gc0Bn5WaAA"),
            Map.entry("jwt", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.Xk9mQ2zR7tV4wY1bC5dEq9Zr3Tx8Vm2"),
            Map.entry("private-key-block", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7x\nq9Zr3Tx8\n-----END RSA PRIVATE KEY-----"),
            Map.entry("password-in-url", "psql postgres://app:S3cr3tPassw0rd@db.internal:5432/app"),
            Map.entry("password-in-connection-string", "Server=db;Database=app;User Id=sa;Password=Hunter2Hunter2;"),
            Map.entry("generic-secret-assignment", "client_secret: \"9f8e7d6c5b4a3f2e1d0c9b8a\""));

    static List<Map.Entry<String, String>> seeded() {
        return List.copyOf(SEEDED.entrySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeded")
    void eachRuleFiresOnItsSeededSecret(Map.Entry<String, String> seeded) {
        Redactor.Result r = REDACTOR.redact(seeded.getValue());
        assertThat(r.redactions()).extracting(Redactor.Redaction::rule).contains(seeded.getKey());
        assertThat(r.text()).contains("[REDACTED:" + seeded.getKey() + "]");
    }

    @Test
    void aChunksTextPicksTheRulesThatCouldFireAndEscapesCannotHideAKeyword() {
        assertThat(REDACTOR.candidatesFor("{\"command\":\"python -m pytest -q\",\"cwd\":\".\"}")).isNull();
        Redactor aws = REDACTOR.candidatesFor("{\"command\":\"export AWS_ACCESS_KEY_ID=AKIAQ7HZ3KXJ5N2MWR4T\"}");
        assertThat(aws.rules()).extracting(Redactor.Rule::id).contains("aws-access-key-id").doesNotContain("jwt", "slack-token");
        assertThat(aws.redact("export AWS_ACCESS_KEY_ID=AKIAQ7HZ3KXJ5N2MWR4T").text()).doesNotContain("AKIAQ7HZ3KXJ5N2MWR4T");
        // JSON may spell a keyword with escapes; the parsed string holds it: such text gets every rule
        String escaped = "{\"command\":\"export K=\\u0041KIAQ7HZ3KXJ5N2MWR4T\"}";
        assertThat(REDACTOR.candidatesFor(escaped)).isSameAs(REDACTOR);
        assertThat(REDACTOR.candidatesFor("{\"u\":\"https:\\/\\/x:pw12345@h\"}")).isSameAs(REDACTOR);
        // a URL without credentials does not wake the password-in-URL rule
        assertThat(REDACTOR.candidatesFor("see https://example.org/docs")).isNull();
    }

    /** The pre-filter reads a record's UTF-8 bytes: every enabled rule's canary wakes its rule, also among multi-byte characters. */
    @Test
    void theByteScanWakesEachRuleOnItsCanaryAmongMultiByteText() {
        var enabled = REDACTOR.rules().stream().map(Redactor.Rule::id).toList(); // optional rules are off here
        for (RedactionSelfTest.Canary c : RedactionSelfTest.canaries().stream().filter(c -> enabled.contains(c.rule())).toList()) {
            String json = "{\"text\":\"é tökén Ω " + c.line().replace("\\", "\\\\").replace("\"", "\\\"") + " ünï\"}";
            Redactor picked = REDACTOR.candidatesFor(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(picked).as(json).isNotNull();
            assertThat(picked.rules()).as(json).extracting(Redactor.Rule::id).contains(c.rule());
        }
        assertThat(REDACTOR.candidatesFor("{\"text\":\"é tökén Ω ünïcode\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isNull();
    }

    @Test
    void cleanCodeIsLeftAlone() {
        for (String clean : List.of("token = get_token_from_header(request)", "password = getpass.getpass()",
                "def test_leap_day():\n    assert is_leap(2024) is True", "git commit -m 'fix off-by-one in discount'",
                "https://github.com/example/repo.git", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "OPENAI_API_KEY=${OPENAI_API_KEY}", "postgres://localhost:5432/app")) {
            assertThat(REDACTOR.find(clean)).as(clean).isEmpty();
        }
    }

    @Test
    void redactsInsideATreeAndRecordsPointersAndFingerprints() {
        ObjectNode payload = (ObjectNode) StrictJson.parse("{\"command\":\"curl -H 'x: ghp_9fK2mQ7zR4tV8wX1yZ5bC6dE0gH3jLkN8pQs' u\","
                + "\"nested\":[\"ok\",\"GITLAB_TOKEN=glpat-Xk9mQ2zR7tV4wY1bC5dE\"]}");
        List<ObjectNode> found = REDACTOR.redactTree(payload, "/payload");
        assertThat(found).extracting(n -> n.get("pointer").asText()).containsExactly("/payload/command", "/payload/nested/1");
        assertThat(payload.toString()).doesNotContain("ghp_9fK2").doesNotContain("glpat-X");
        ObjectNode first = found.get(0);
        assertThat(payload.get("command").asText().substring(first.get("start").asInt(), first.get("end").asInt()))
                .isEqualTo("[REDACTED:github-token]");
        assertThat(first.get("fingerprint").asText()).isEqualTo(REDACTOR.fingerprint("ghp_9fK2mQ7zR4tV8wX1yZ5bC6dE0gH3jLkN8pQs"));
    }

    /**
     * Issue 13, finding 7: AWS access key ids with digits outside the base32 alphabet (the form
     * other scanners' fixtures and AWS's own documentation use, e.g. AKIAIOSFODNN7EXAMPLE) and the
     * A3T… form passed unredacted.
     */
    @Test
    void awsKeyIdsOfEveryPublishedFormAreRedacted() {
        for (String key : new String[] {"AKIAIOSFODNN7EXAMPLE", "AKIA0123456789ABCDEF", "A3TX9QZ1KW8MN2PL5VB7", "ASIA1XYZ9QWERTY8UIOP",
                "AIDA0123456789ABCDEF", "AROAJ2UCCR6DPCEXAMPL"}) {
            String line = "aws_access_key_id = " + key;
            assertThat(REDACTOR.redact(line).text()).as(key).doesNotContain(key);
        }
        assertThat(REDACTOR.redact("AKIAIOSFODNN7EXAMPLEX and XAKIAIOSFODNN7EXAMPLE").text())
                .as("not inside a longer word").contains("AKIAIOSFODNN7EXAMPLEX").contains("XAKIAIOSFODNN7EXAMPLE");
    }

    /**
     * Issue 13, finding 7: the rules against other secret scanners' published fixtures (detect-secrets,
     * gitleaks; as data with their licences, src/test/resources/scanner-fixtures/scanners.json): each
     * line is redacted by exactly the rule expected, and the lines that are not secrets stay whole.
     */
    @Test
    void otherScannersPublishedFixturesAreRedactedAsExpected() throws Exception {
        com.fasterxml.jackson.databind.JsonNode fixtures = dev.prtelemetry.schemas.json.StrictJson.parse(
                java.nio.file.Files.readAllBytes(java.nio.file.Path.of("src/test/resources/scanner-fixtures/scanners.json")));
        int secrets = 0;
        for (com.fasterxml.jackson.databind.JsonNode c : fixtures.get("cases")) {
            String line = c.get("line").asText();
            Redactor.Result r = REDACTOR.redact(line);
            java.util.List<String> rules = r.redactions().stream().map(Redactor.Redaction::rule).distinct().toList();
            if (c.get("expect").isNull()) {
                assertThat(rules).as(c.get("source").asText() + " " + line).isEmpty();
            } else {
                secrets++;
                assertThat(rules).as(c.get("source").asText() + " " + line).containsExactly(c.get("expect").asText());
            }
        }
        assertThat(secrets).isEqualTo(8);
    }
}
