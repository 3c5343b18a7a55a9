package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.v0.ReplacedSystemReadme;
import dev.prtelemetry.schemas.v0.V0Events;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 against the whole local stack: the requests the replaced system's README documents, sent as it
 * writes them (its bodies byte for byte, its headers: the create with Content-Type, the chunk and the
 * completion without one, the completion without a body), give a complete
 * trace whose GET has the seed's top-level keys and {@code chain: server}; the same create is refused with
 * today's 422 by a gateway whose deployment does not record consent outside the API; {@code prt import v0}
 * brings three documents of that system's format in, and {@code prt verify} accepts what was assembled.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class V0ClientsITCase {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path PRT_JAR = ROOT.resolve("recorder/target/prt.jar");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /**
     * The researcher token. The replaced system's README authenticates with {@code Bearer dev_token_12345}, its development
     * default; a token is a deployment's secret, not part of a request's shape, and this gateway refuses researcher tokens
     * shorter than 16 characters (that one has 15), so its migrated clients are given this deployment's token.
     */
    static final String TOKEN = "dev_token_1234567890";
    static final List<String> SEED_KEYS = List.of("trace_version", "trace_id", "session", "task", "repo", "environment", "events",
            "artifacts", "metrics", "qa", "integrity");



    /** README, "1. Create Trace" and "2. Ingest Events". */
    static final String CREATE = ReplacedSystemReadme.CREATE;
    static final String CHUNK_1 = ReplacedSystemReadme.CHUNK;
    /** The other event types its README lists, in the flat shapes of its event models (api/schemas/trace_v1.py). */
    static final String CHUNK_2 = """
            {
              "chunk_id": "chunk-002",
              "chunk_seq": 1,
              "events": [
                {"id": "evt-002", "seq": 1, "ts_client_s": 1696435205.0, "ts_server_s": 1696435205.0, "type": "cmd_run",
                 "cmd": "pytest -q", "cwd": "/work/repo", "env_redacted": false, "exit_code": 1,
                 "stdout_ref": {"uri": "s3://artifacts/out.txt", "sha256": "abc", "size_bytes": 120}, "stderr_ref": null},
                {"id": "evt-003", "seq": 2, "ts_client_s": 1696435210.0, "ts_server_s": 1696435210.0, "type": "test_run",
                 "framework": "pytest", "selection": "tests/", "num_passed": 3, "num_failed": 1,
                 "failed_tests": ["tests/test_main.py::test_add"], "report_ref": null},
                {"id": "evt-004", "seq": 3, "ts_client_s": 1696435220.0, "ts_server_s": 1696435220.0, "type": "rationale_note",
                 "structured": {"hypothesis": "add() uses the wrong operator", "plan": "fix it and re-run"}, "freeform": null},
                {"id": "evt-005", "seq": 4, "ts_client_s": 1696435230.0, "ts_server_s": 1696435230.0, "type": "commit",
                 "sha": "def4567", "parent_sha": "abc123", "message": "Fix add", "diff_unified": "..."}
              ]
            }""";

    @TempDir
    static Path dir;
    static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = EmbeddedServices.stackEnv();
        env.put("PRT_CHECKPOINT_INTERVAL_MS", "1000");
        env.put("PRT_QA_ENABLED", "false"); // QA is not under test here
        env.put("PRT_RESEARCHER_TOKEN", TOKEN);
        env.put("PRT_DEPLOYMENT_CONSENT_TEXT_VERSION", "legacy-consent-2025-10");
        env.put("PRT_DEPLOYMENT_CONSENT_SCOPES", "training,evaluation");
        stack = LocalStack.start(StackConfig.fromEnv(dir.resolve("data"), ROOT, env));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void theReplacedSystemsReadmeRequestsMakeACompleteServerChainedTrace() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/traces"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(CREATE)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // the replaced system's answer: {trace_id, upload_token, message}
        assertThat(StrictJson.parse(created.body()).get("message").asText()).isEqualTo("Trace created successfully");
        String id = StrictJson.parse(created.body()).get("trace_id").asText();
        String upload = StrictJson.parse(created.body()).get("upload_token").asText();
        for (String[] chunk : new String[][] {{"chunk-001", CHUNK_1}, {"chunk-002", CHUNK_2}}) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/traces/" + id + "/events:ingest"))
                    .header("Authorization", "Bearer " + upload).header("Idempotency-Key", chunk[0])
                    .POST(HttpRequest.BodyPublishers.ofString(chunk[1])));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        // while it is open, the GET already says who chains it
        JsonNode open = null;
        for (long until = System.currentTimeMillis() + 60_000; System.currentTimeMillis() < until; Thread.sleep(200)) {
            open = StrictJson.parse(get("/v1/traces/" + id).body());
            if (open.path("events").size() == 5) {
                break;
            }
        }
        assertThat(open.get("state").asText()).isEqualTo("receiving");
        assertThat(open.get("events")).hasSize(5);
        assertThat(open.at("/integrity/chain").asText()).isEqualTo("server");
        assertThat(open.fieldNames()).toIterable().containsAll(SEED_KEYS);
        HttpResponse<String> completed = send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/traces/" + id + "/complete"))
                .header("Authorization", "Bearer " + upload).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(completed.statusCode()).as(completed.body()).isEqualTo(202);

        JsonNode trace = awaitEnded(id);
        assertThat(trace.get("state").asText()).as(trace.toString()).isEqualTo("complete");
        assertThat(trace.fieldNames()).toIterable().containsAll(SEED_KEYS);
        assertThat(trace.at("/integrity/chain").asText()).isEqualTo("server");
        assertThat(trace.at("/integrity/completion").asText()).isEqualTo("last_received");
        assertThat(trace.at("/integrity/verdict").asText()).isEqualTo("verified");
        assertThat(trace.at("/integrity/event_count").asLong()).isEqualTo(5);
        assertThat(trace.get("events")).hasSize(5);
        assertThat(trace.get("events")).extracting(e -> e.get("type").asText())
                .containsExactly("file_edit", "cmd_run", "test_run", "rationale_note", "commit");
        // each event keeps its original bytes: the README's event exactly as the request carried it
        assertThat(trace.at("/events/0/v0_event").asText()).isEqualTo(V0Events.elementTexts(
                CHUNK_1.getBytes(StandardCharsets.UTF_8), "events").get(0));
        assertThat(CHUNK_1).contains(trace.at("/events/0/v0_event").asText());
        assertThat(trace.at("/events/1/payload/command").asText()).isEqualTo("pytest -q");
        assertThat(trace.at("/events/2/payload/summary/failed").asLong()).isEqualTo(1);
        assertThat(trace.at("/events/3/payload/kind").asText()).isEqualTo("plan");
        assertThat(trace.at("/events/4/payload/sha").asText()).isEqualTo("def4567");
        assertThat(trace.at("/repo/start_commit").asText()).isEqualTo("abc123");
        assertThat(trace.at("/repo/start_commit_abbreviated").asBoolean()).isTrue();
        assertThat(trace.at("/session/consent/source").asText()).isEqualTo("deployment");
        assertThat(trace.at("/session/consent/text_version").asText()).isEqualTo("legacy-consent-2025-10");
        assertThat(trace.at("/consent/source").asText()).isEqualTo("deployment");

        Path doc = dir.resolve("readme-trace.json");
        Files.writeString(doc, get("/v1/traces/" + id + "/document").body());
        assertThat(TraceSchemas.get().validate(SchemaName.TRACE, StrictJson.parse(Files.readString(doc)))).isEmpty();
        Run verified = prt("verify", "--schema", doc.toString());
        assertThat(verified.exit).as(verified.out).isZero();
        assertThat(verified.out).startsWith("OK 5 events").contains("chain: server");
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void withoutTheDeploymentConsentSettingTheSameCreateIsRefusedAsToday() throws Exception {
        Map<String, String> env = new HashMap<>(stack.gatewayEnv());
        env.remove("PRT_DEPLOYMENT_CONSENT_TEXT_VERSION");
        env.remove("PRT_DEPLOYMENT_CONSENT_SCOPES");
        try (GatewayProcess other = GatewayProcess.start(ROOT.resolve("ingest-gateway/target/prt-gateway.jar"),
                EmbeddedServices.freePort(), env, dir.resolve("gateway-without-consent-setting.log"))) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(other.url() + "/v1/traces"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(CREATE)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            JsonNode problem = StrictJson.parse(r.body());
            assertThat(problem.get("type").asText()).endsWith("consent-required");
            assertThat(problem.get("detail").asText()).contains("nothing was stored");
            assertThat(problem.get("errors").get(0).get("pointer").asText()).isEqualTo("/consent");
        }
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void importsTheReplacedSystemsStoredTracesAndPrtVerifyAcceptsWhatWasAssembled() throws Exception {
        Path examples = ROOT.resolve("examples/v0-import");
        Path token = dir.resolve("researcher.token");
        Files.writeString(token, TOKEN);
        Run imported = prt("import", "v0", examples.toString(), "--server", stack.gatewayUrl(), "--researcher-token-file",
                token.toString(), "--wait", "120");
        assertThat(imported.exit).as(imported.out).isZero();
        assertThat(imported.out).contains("imported 3 of 3 document(s)");
        List<Path> files;
        try (var s = Files.list(examples)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSize(3);
        List<String> verified = new ArrayList<>();
        for (Path file : files) {
            JsonNode old = StrictJson.parse(Files.readAllBytes(file));
            String id = old.get("trace_id").asText();
            JsonNode trace = awaitEnded(id);
            assertThat(trace.get("state").asText()).as(trace.toString()).isEqualTo("complete");
            assertThat(trace.at("/integrity/chain").asText()).isEqualTo("server");
            assertThat(trace.get("events")).hasSize(old.get("events").size());
            assertThat(trace.at("/session/participant_id").asText()).isEqualTo(old.at("/session/participant_id").asText());
            assertThat(trace.at("/task/title").asText()).isEqualTo(old.at("/task/title").asText());
            // every event's original bytes, as the old document holds them
            List<String> originals = V0Events.elementTexts(Files.readAllBytes(file), "events");
            for (int i = 0; i < originals.size(); i++) {
                assertThat(trace.get("events").get(i).get("v0_event").asText()).isEqualTo(originals.get(i));
            }
            Path doc = dir.resolve("imported-" + id + ".json");
            Files.writeString(doc, get("/v1/traces/" + id + "/document").body());
            Run v = prt("verify", "--schema", doc.toString());
            assertThat(v.exit).as(v.out).isZero();
            assertThat(v.out).startsWith("OK " + old.get("events").size() + " events").contains("chain: server");
            verified.add(id);
        }
        assertThat(verified).containsExactly("trace-complex-002", "trace-failed-003", "trace-simple-001");
        // again: the same ids, the same chunks — nothing new, nothing broken
        Run again = prt("import", "v0", examples.toString(), "--server", stack.gatewayUrl(), "--researcher-token-file",
                token.toString(), "--wait", "0");
        assertThat(again.exit).as(again.out).isZero();
        assertThat(again.out).contains("the trace existed");
        assertThat(awaitEnded("trace-simple-001").get("state").asText()).isEqualTo("complete");
    }

    @Test
    @org.junit.jupiter.api.Order(5)
    void apiDocsAreServedAtDocs() throws Exception {
        HttpResponse<String> page = get("/docs");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/docs/assets/swagger-ui-bundle.js", "/docs/init.js");
        assertThat(get("/docs/init.js").body()).contains("/openapi.yml");
        HttpResponse<String> bundle = get("/docs/assets/swagger-ui-bundle.js");
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(get("/openapi.yml").body()).contains("/v1/schemas/v0-chunk");
    }

    /**
     * What people look at, in a real browser (Debian's chromium): /docs, where the replaced system's users look for the
     * API, listing every operation; and an imported trace in the console's trace view, its events marked format v0.
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    void apiDocsAndAnImportedTraceRenderInABrowser() throws Exception {
        org.openqa.selenium.WebDriver browser = ConsoleBrowserITCase.chromium();
        try {
            browser.get(stack.gatewayUrl() + "/docs");
            new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(30)).until(b ->
                    b.findElements(org.openqa.selenium.By.cssSelector(".opblock-summary-path")).size() > 10);
            List<String> paths = browser.findElements(org.openqa.selenium.By.cssSelector(".opblock-summary-path")).stream()
                    .map(e -> e.getAttribute("data-path")).toList();
            assertThat(paths).contains("/v1/traces", "/v1/traces/{id}/events:ingest", "/v1/traces/{id}/complete", "/v1/traces/{id}");
            assertThat(browser.findElement(org.openqa.selenium.By.cssSelector(".info .title")).getText())
                    .contains("PR Telemetry ingest gateway");
            assertThat(browser.findElement(org.openqa.selenium.By.cssSelector(".info")).getText()).contains("format v0");
            Files.createDirectories(ConsoleBrowserITCase.SHOTS);
            Files.write(ConsoleBrowserITCase.SHOTS.resolve("api-docs.png"), ((org.openqa.selenium.TakesScreenshot) browser)
                    .getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

            browser.get(stack.gatewayUrl() + "/console/sign-in");
            browser.findElement(org.openqa.selenium.By.id("token")).sendKeys(TOKEN);
            org.openqa.selenium.WebElement signIn = browser.findElement(org.openqa.selenium.By.tagName("html"));
            browser.findElement(org.openqa.selenium.By.id("sign-in")).click();
            new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20))
                    .until(org.openqa.selenium.support.ui.ExpectedConditions.stalenessOf(signIn));
            browser.get(stack.gatewayUrl() + "/console/traces/trace-simple-001");
            String page = browser.findElement(org.openqa.selenium.By.tagName("body")).getText();
            assertThat(page).contains("Fix calculator bug", "format v0", "add() subtracts instead of adding (wrong operator)",
                    "pytest: 3 passed, 1 failed", "tests/test_calc.py::test_add");
            assertThat(page).doesNotContain("0 errors"); // v0 never counted errors: not shown as zero
            assertThat(browser.findElement(org.openqa.selenium.By.id("chain")).getText()).startsWith("the server");
            assertThat(browser.findElement(org.openqa.selenium.By.id("consent-source")).getText()).contains("outside the API");
            // the browser's own check of the stored document (RFC 8785 + SHA-256 in JavaScript) holds for a server chain too
            browser.findElement(org.openqa.selenium.By.id("verify")).click();
            org.openqa.selenium.WebElement result = browser.findElement(org.openqa.selenium.By.id("verify-result"));
            new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20))
                    .until(b -> result.getAttribute("data-result") != null);
            assertThat(result.getAttribute("data-result")).as(result.getText()).isEqualTo("ok");
            assertThat(result.getText()).startsWith("OK — 10 events");
            Files.write(ConsoleBrowserITCase.SHOTS.resolve("console-v0-trace.png"), ((org.openqa.selenium.TakesScreenshot) browser)
                    .getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }

    static JsonNode awaitEnded(String traceId) throws Exception {
        return EmbeddedServices.awaitEnded(stack.gatewayUrl(), TOKEN, traceId, java.time.Duration.ofSeconds(120));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).header("Authorization", "Bearer " + TOKEN).GET());
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    record Run(int exit, String out) {
    }

    static Run prt(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                PRT_JAR.toString(), "dev.prtelemetry.recorder.cli.PrtCommand"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }
}
