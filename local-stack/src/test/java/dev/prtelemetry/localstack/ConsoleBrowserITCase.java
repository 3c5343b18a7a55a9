package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's chromium, driven by Selenium through chromedriver)
 * against the whole embedded stack: sign in, watch the dashboard's count rise while traces are
 * uploaded, list the traces, open one, follow a note's ref to its event, verify the document in
 * the browser, then tamper with the stored document and see the bad seq named. Screenshots go to
 * {@code target/console-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserITCase {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path SHOTS = Path.of("target/console-screenshots");
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    static Path dir;
    static LocalStack stack;
    static String researcher;
    static String gateway;
    static WebDriver browser;
    static String traceId;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        env = EmbeddedServices.stackEnv();
        env.put("PRT_CHECKPOINT_INTERVAL_MS", "2000");
        stack = LocalStack.start(StackConfig.fromEnv(dir.resolve("data"), ROOT, env));
        researcher = Files.readString(dir.resolve("data/researcher.token")).strip();
        gateway = stack.gatewayUrl();
        browser = chromium();
        Files.createDirectories(SHOTS);
    }

    /** Debian's chromium and chromedriver, named explicitly so Selenium never tries to download a browser. */
    static WebDriver chromium() {
        Path binary = Path.of(System.getenv().getOrDefault("PRT_CHROMIUM", "/usr/bin/chromium"));
        Path driver = Path.of(System.getenv().getOrDefault("PRT_CHROMEDRIVER", "/usr/bin/chromedriver"));
        assertThat(binary).as("Debian's chromium (apt-get install chromium chromium-driver; .ci/run installs it)").isExecutable();
        assertThat(driver).as("chromedriver (Debian's chromium-driver)").isExecutable();
        System.setProperty("SE_OFFLINE", "true");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void nothingIsReadableWithoutSigningIn() throws Exception {
        for (String path : List.of("/console/dashboard", "/console/traces", "/console/traces/t-1")) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(303);
            assertThat(r.headers().firstValue("Location")).contains("/console/sign-in");
        }
        assertThat(get("/console/dashboard/data", null).statusCode()).isEqualTo(401);
        assertThat(get("/console/traces/t-1/document", null).statusCode()).isEqualTo(401);
        // a forged cookie is no session
        assertThat(get("/console/dashboard/data", "prt_console=eyJhbGciOiJub25lIn0.e30.").statusCode()).isEqualTo(401);

        // a sign-in form posted from another site is refused, even with the right token (login CSRF)
        HttpResponse<String> crossSite = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + researcher)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.headers().firstValue("Set-Cookie")).isEmpty();
        // a session's form without its CSRF token does nothing
        HttpResponse<String> session = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + researcher)).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = session.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<String> noCsrf = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/console/sign-out"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=guess")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(get("/console/dashboard/data", cookie).statusCode()).isEqualTo(200);

        browser.get(gateway + "/console/");
        assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
        signIn("not-the-token");
        assertThat(browser.findElement(By.id("sign-in-error")).getText()).contains("neither the researcher token nor a participant token");
        shot("sign-in");
    }

    @Test
    @Order(2)
    void theDashboardCountRisesWhileTracesAreUploaded() throws Exception {
        signIn(researcher);
        assertThat(browser.getCurrentUrl()).endsWith("/console/dashboard");
        WebElement dashboard = browser.findElement(By.id("dashboard"));
        await(Duration.ofSeconds(20), () -> browser.findElement(By.id("live")).getText().startsWith("live"));
        long before = Long.parseLong(dashboard.getDomAttribute("data-events") == null ? "0" : dashboard.getDomAttribute("data-events"));
        // the session cookie is HttpOnly: the page's scripts cannot read it
        assertThat(((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return document.cookie")).isEqualTo("");
        assertThat(browser.manage().getCookieNamed("prt_console").isHttpOnly()).isTrue();
        assertThat(browser.manage().getCookieNamed("prt_console").getSameSite()).isEqualTo("Strict");

        long expected = before;
        long[] delays = new long[2];
        int i = 0;
        for (String example : List.of("dates-leap-day", "cart-discount")) {
            String id = DemoMain.upload(gateway, researcher, ROOT.resolve("examples").resolve(example));
            long uploadedAt = System.nanoTime();
            if (traceId == null) {
                traceId = id;
            }
            expected += events(ROOT.resolve("examples").resolve(example));
            long want = expected;
            // no reload: the number on screen changes through the server-sent events
            await(Duration.ofSeconds(60), () -> Long.parseLong(attr(browser.findElement(By.id("dashboard")), "data-events")) >= want);
            delays[i++] = (System.nanoTime() - uploadedAt) / 1_000_000;
            assertThat(browser.findElement(By.id("m-events")).getText().replace(",", "")).isEqualTo(String.valueOf(want));
        }
        System.out.printf("console: dashboard showed the uploads %d ms and %d ms after their last chunk was accepted%n", delays[0], delays[1]);
        await(Duration.ofSeconds(60), () -> Long.parseLong(browser.findElement(By.id("m-completed")).getText()) >= 2);
        // the latency chart draws what it knows even when one window has latencies (a lone point has no line to draw);
        // p50 (blue) or p99 (orange): with one sample in a window they are equal, and p99's point covers p50's
        await(Duration.ofSeconds(60), () -> !browser.findElement(By.id("m-p99")).getText().equals("–"));
        await(Duration.ofSeconds(20), () -> ((Number) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "const c = document.querySelector('#chart-latency canvas');"
                        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                        + "const near = (i, r, g, b) => Math.abs(d[i] - r) < 10 && Math.abs(d[i + 1] - g) < 10 && Math.abs(d[i + 2] - b) < 10;"
                        + "for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 200 && (near(i, 43, 108, 176) || near(i, 192, 86, 33))) n++; }"
                        + " return n;")).longValue() > 0);
        shot("dashboard");
    }

    @Test
    @Order(3)
    void theTraceListLeadsToTheTraceAndANotesRefToItsEvent() throws Exception {
        DemoMain.awaitFinal(gateway, researcher, traceId, Duration.ofSeconds(90));
        browser.get(gateway + "/console/traces");
        List<WebElement> rows = browser.findElements(By.cssSelector("#trace-list tr.trace-row"));
        assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
        shot("traces");
        browser.findElement(By.cssSelector("tr[data-trace='" + traceId + "'] a")).click();
        assertThat(browser.getCurrentUrl()).endsWith("/console/traces/" + traceId);
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("complete");
        assertThat(browser.findElements(By.cssSelector("li.event"))).hasSize(11);
        assertThat(browser.findElements(By.cssSelector("pre.diff .dadd"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("table.cases .flip"))).isNotEmpty(); // the leap-day test went from failed to passed
        shot("trace");

        WebElement ref = browser.findElement(By.cssSelector("li.t-rationale_note .refs a.ref"));
        String target = ref.getDomAttribute("href");
        ref.click();
        assertThat(browser.getCurrentUrl()).endsWith(target);
        WebElement cited = browser.findElement(By.id(target.substring(1)));
        assertThat(cited.isDisplayed()).isTrue();
        assertThat((Boolean) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return document.querySelector(':target') === arguments[0]", cited)).isTrue();
    }

    @Test
    @Order(4)
    void verifyingInTheBrowserSaysOk() throws Exception {
        browser.get(gateway + "/console/traces/" + traceId);
        browser.findElement(By.id("verify")).click();
        WebElement result = browser.findElement(By.id("verify-result"));
        await(Duration.ofSeconds(20), () -> attr(result, "data-result") != null);
        assertThat(attr(result, "data-result")).as(result.getText()).isEqualTo("ok");
        assertThat(result.getText()).startsWith("OK — 11 events");
        JsonNode view = StrictJson.parse(get("/v1/traces/" + traceId, null, researcher).body());
        assertThat(result.getText()).contains(view.at("/integrity/merkle_root").asText().substring(0, 16));
        shot("verified");
    }

    @Test
    @Order(5)
    void aTamperedDocumentIsCaughtAtItsSeq() throws Exception {
        // the sandbox reads the stored document and refuses one that is not what its claim check names:
        // tamper only once the trace is verified, and put the document back afterwards
        assertThat(DemoMain.awaitQa(gateway, researcher, traceId, Duration.ofSeconds(300))).as("the trace's verification").isNotNull();
        JsonNode view = StrictJson.parse(get("/v1/traces/" + traceId, null, researcher).body());
        Path stored = dir.resolve("data/s3").resolve(view.get("document_uri").asText().substring("s3://".length()));
        byte[] original = Files.readAllBytes(stored);
        try {
            tamperAndVerifyInTheBrowser(stored, original);
        } finally {
            Files.write(stored, original);
        }
    }

    private void tamperAndVerifyInTheBrowser(Path stored, byte[] original) throws Exception {
        ObjectNode doc = (ObjectNode) StrictJson.parse(original);
        ObjectNode note = (ObjectNode) doc.get("events").get(3).get("payload");
        note.put("text", note.path("text").asText() + " (edited later)");
        Files.write(stored, doc.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));

        browser.get(gateway + "/console/traces/" + traceId);
        browser.findElement(By.id("verify")).click();
        WebElement result = browser.findElement(By.id("verify-result"));
        await(Duration.ofSeconds(20), () -> attr(result, "data-result") != null);
        assertThat(attr(result, "data-result")).isEqualTo("bad");
        assertThat(attr(result, "data-bad-seq")).isEqualTo("3");
        assertThat(result.getText()).startsWith("FAILED at seq 3: its content hashes to");
        assertThat(browser.findElement(By.cssSelector("li.event.bad")).getDomAttribute("data-seq")).isEqualTo("3");
        shot("tampered");
    }

    @Test
    @Order(6)
    void aParticipantSeesOnlyTheirOwnTraces() throws Exception {
        browser.findElement(By.id("sign-out")).click();
        // the sign-out form's post navigates after the click returns: wait for where it lands
        await(Duration.ofSeconds(20), () -> browser.getCurrentUrl().endsWith("/console/sign-in"));
        assertThat(browser.getCurrentUrl()).endsWith("/console/sign-in");
        HttpResponse<String> issued = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/participants/someone-else/tokens"))
                .header("Authorization", "Bearer " + researcher).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        signIn(StrictJson.parse(issued.body()).get("token").asText());
        browser.get(gateway + "/console/traces");
        assertThat(browser.findElements(By.cssSelector("#trace-list tr.trace-row"))).isEmpty();
        assertThat(browser.findElements(By.id("f-participant"))).isEmpty();
        browser.get(gateway + "/console/traces/" + traceId);
        assertThat(browser.getPageSource()).contains("no trace " + traceId).doesNotContain("Timeline");
    }

    /**
     * The metrics windows summarise the rows exactly: after a bench run (with the dashboard open
     * and moving), the per-minute sums equal the chunk rows, their events and bytes, the traces
     * opened and completed — overall and per task — and the compacted topic's newest record of
     * each window equals the table's row.
     */
    @Test
    @Order(8)
    void metricTotalsEqualTheRowsTheySummariseAfterABenchRun() throws Exception {
        signIn(researcher);
        await(Duration.ofSeconds(20), () -> browser.findElement(By.id("live")).getText().startsWith("live"));
        BenchMain.Bench bench = new BenchMain.Bench(gateway, researcher, jdbcUrl(),
                new BenchMain.Options(8, 0, 8, 20, 100, 0, 0));
        bench.run();
        shot("dashboard-bench");
        String[] sums = {
            "SELECT count(*), coalesce(sum(last_seq - first_seq + 1), 0), coalesce(sum(octet_length(events)), 0) FROM trace_event_chunks",
            "SELECT sum(chunks), sum(events), sum(bytes) FROM metric_windows WHERE window_size = ? AND dimension = 'all'",
        };
        // the windows are emitted live (at most once a second each) and the sinks flush on checkpoints:
        // wait until every sum has caught up with the rows, then compare each
        String perTask = "SELECT string_agg(task_id || '=' || n, ',' ORDER BY task_id) FROM (SELECT task_id, count(*) n FROM traces GROUP BY task_id) t";
        String perTaskWindows = "SELECT string_agg(key || '=' || n, ',' ORDER BY key) FROM (SELECT key, sum(traces_opened) n"
                + " FROM metric_windows WHERE window_size = '1m' AND dimension = 'task' GROUP BY key) m";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String rows = null;
        String minutes = null;
        String hours = null;
        while (System.nanoTime() < deadline) {
            rows = query(sums[0]) + " traces " + query("SELECT count(*), count(*) FILTER (WHERE state = 'complete') FROM traces");
            minutes = query(sums[1], "1m") + " traces " + query("SELECT sum(traces_opened), sum(traces_completed) FROM metric_windows"
                    + " WHERE window_size = ? AND dimension = 'all'", "1m");
            hours = query(sums[1], "1h") + " traces " + query("SELECT sum(traces_opened), sum(traces_completed) FROM metric_windows"
                    + " WHERE window_size = ? AND dimension = 'all'", "1h");
            if (rows.equals(minutes) && rows.equals(hours) && query(perTask).equals(query(perTaskWindows))
                    && query("SELECT count(*) FROM traces WHERE state IN ('open', 'receiving')").equals("0")) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(minutes).as("per-minute sums vs rows").isEqualTo(rows);
        assertThat(rows).doesNotStartWith("0 ");
        assertThat(hours).as("per-hour sums vs rows").isEqualTo(rows);
        assertThat(query(perTask)).as("traces opened per task").isEqualTo(query(perTaskWindows));

        // the API answers with the table's windows; the compacted topic's newest record per window is the same
        JsonNode api = StrictJson.parse(get("/v1/metrics?window=1m&from=" + java.time.Instant.now().minus(Duration.ofHours(1))
                + "&to=" + java.time.Instant.now().plusSeconds(60), null, researcher).body());
        assertThat(api.at("/totals/events").asLong() + " ").isEqualTo(rows.split(" ")[1] + " ");
        Map<String, JsonNode> newest = new java.util.HashMap<>();
        long waitTopic = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < waitTopic) {
            newest.clear();
            for (String value : EmbeddedServices.topicValues(stack.kafkaBootstrap(), dev.prtelemetry.schemas.stream.Topics.METRICS)) {
                JsonNode r = StrictJson.parse(value);
                newest.put(r.get("id").asText(), r);
            }
            boolean same = true;
            for (JsonNode w : api.get("windows")) {
                JsonNode k = newest.get(w.get("id").asText());
                same &= k != null && k.get("events").equals(w.get("events")) && k.get("traces").equals(w.get("traces"));
            }
            if (same) {
                break;
            }
            Thread.sleep(500);
        }
        for (JsonNode w : api.get("windows")) {
            JsonNode k = newest.get(w.get("id").asText());
            assertThat(k).as("prt.metrics record " + w.get("id")).isNotNull();
            assertThat(k.get("events")).isEqualTo(w.get("events"));
            assertThat(k.get("chunks")).isEqualTo(w.get("chunks"));
            assertThat(k.get("traces")).isEqualTo(w.get("traces"));
        }
    }

    /**
     * Erasing a participant removes the metrics windows kept under their id and tombstones them on
     * prt.metrics — and they do not come back: the job's window state still holds them (the hour's
     * window fires at the hour), so a new trace of the same participant right after the erasure
     * must not re-emit a window that started before it, to the table or to the topic.
     */
    @Test
    @Order(9)
    void erasureReachesTheParticipantsMetricsAndTheyDoNotComeBack() throws Exception {
        assertThat(query("SELECT count(*) FROM metric_windows WHERE dimension = 'participant' AND key = 'bench-0'")).isNotEqualTo("0");
        HttpResponse<String> erased = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/participants/bench-0"))
                .header("Authorization", "Bearer " + researcher).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        assertThat(StrictJson.parse(erased.body()).get("metric_windows_erased").asInt()).isPositive();
        long erasedAt = Long.parseLong(query("SELECT (extract(epoch FROM max(requested_at)) * 1000)::bigint FROM erasures"
                + " WHERE participant_id = 'bench-0'"));
        assertThat(query("SELECT count(*) FROM metric_windows WHERE dimension = 'participant' AND key = 'bench-0'")).isEqualTo("0");

        // the same participant records again at once: its facts land in windows that started before the erasure
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/traces"))
                .header("Authorization", "Bearer " + researcher).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BenchMain.Bench.createBody(0, null))).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode trace = StrictJson.parse(created.body());
        String id = trace.get("trace_id").asText();
        ObjectNode chunk = BenchMain.Bench.chunk(id, new dev.prtelemetry.schemas.integrity.HashChain(id), 0, 5, new java.util.SplittableRandom(7));
        HttpResponse<String> sent = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/traces/" + id + "/events:ingest"))
                .header("Authorization", "Bearer " + trace.get("upload_token").asText()).header("Content-Type", "application/json")
                .header("Idempotency-Key", "after-erasure").POST(HttpRequest.BodyPublishers.ofString(chunk.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (query("SELECT count(*) FROM trace_event_chunks WHERE trace_id = '" + id + "'").equals("0") && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        Thread.sleep(5_000); // a live update (1 s), the sinks' flush and a checkpoint (2 s) later
        assertThat(query("SELECT count(*) FROM metric_windows WHERE dimension = 'participant' AND key = 'bench-0'"
                + " AND window_start <= to_timestamp(" + erasedAt / 1000.0 + ")")).isEqualTo("0");

        // on the topic, the newest record of each of the participant's windows from before the erasure is its tombstone
        Map<String, String> newest = new java.util.HashMap<>();
        long wait = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            newest.clear();
            for (var r : EmbeddedServices.topicRecords(stack.kafkaBootstrap(), dev.prtelemetry.schemas.stream.Topics.METRICS)) {
                String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                if (key.contains("|participant|bench-0|")
                        && java.time.Instant.parse(key.substring(key.lastIndexOf('|') + 1)).toEpochMilli() <= erasedAt) {
                    newest.put(key, r.value() == null ? null : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        } while ((newest.isEmpty() || !newest.values().stream().allMatch(java.util.Objects::isNull))
                && System.nanoTime() < wait && sleep(500));
        assertThat(newest).as("bench-0's windows from before the erasure on prt.metrics").isNotEmpty();
        assertThat(newest.values()).as("their newest records are tombstones").containsOnlyNulls();
    }

    static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    /** The list's verdict and score filters, in the console and in the API (the newest verdict and overall score of each trace). */
    @Test
    @Order(7) // before the bench run, whose documents would queue ahead of this trace's verification
    void theTraceListFiltersByVerdictAndScore() throws Exception {
        assertThat(DemoMain.awaitQa(gateway, researcher, traceId, Duration.ofSeconds(300))).as("the trace's verification").isNotNull();
        signIn(researcher);
        browser.get(gateway + "/console/traces?verdict=resolved");
        List<WebElement> verdicts = browser.findElements(By.cssSelector("#trace-list tr.trace-row td.verdict"));
        assertThat(verdicts).isNotEmpty().allSatisfy(v -> assertThat(v.getText()).isEqualTo("resolved"));
        assertThat(browser.findElements(By.cssSelector("tr[data-trace='" + traceId + "']"))).hasSize(1);
        browser.get(gateway + "/console/traces?verdict=none&state=complete");
        assertThat(browser.findElements(By.cssSelector("#trace-list td.verdict"))).allSatisfy(v -> assertThat(v.getText()).isEqualTo("none yet"));

        double highest = 0;
        for (long until = System.nanoTime() + Duration.ofSeconds(60).toNanos(); highest == 0 && System.nanoTime() < until; ) {
            for (JsonNode t : StrictJson.parse(get("/v1/traces?limit=500", null, researcher).body()).get("traces")) {
                highest = Math.max(highest, t.at("/qa/overall").asDouble(0));
            }
            Thread.sleep(highest == 0 ? 500 : 0);
        }
        double best = highest;
        assertThat(best).as("some trace has been judged").isPositive();
        JsonNode top = StrictJson.parse(get("/v1/traces?limit=500&min_score=" + best, null, researcher).body());
        assertThat(top.get("traces")).isNotEmpty().allSatisfy(t -> assertThat(t.at("/qa/overall").asDouble()).isEqualTo(best));
        JsonNode resolved = StrictJson.parse(get("/v1/traces?limit=500&verdict=resolved", null, researcher).body());
        assertThat(resolved.get("traces")).isNotEmpty().allSatisfy(t -> assertThat(t.at("/qa/verdict").asText()).isEqualTo("resolved"));
        assertThat(get("/v1/traces?min_score=high", null, researcher).statusCode()).isEqualTo(400);
    }

    /** Flink's own web UI on the embedded cluster's REST port, its metrics for Prometheus, and /v1/metrics for researchers only. */
    @Test
    @Order(10)
    void flinksWebUiAndPrometheusMetricsAndTheMetricsApiAreServed() throws Exception {
        HttpResponse<String> ui = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("PRT_FLINK_REST_PORT") + "/"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).contains("Apache Flink Web Dashboard");
        HttpResponse<String> jobs = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("PRT_FLINK_REST_PORT")
                + "/jobs/overview")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(jobs.body()).contains("prt-trace-assembly").contains("RUNNING");
        HttpResponse<String> prom = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("PRT_FLINK_METRICS_PORT")
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(prom.statusCode()).isEqualTo(200);
        assertThat(prom.body()).contains("flink_jobmanager_numRegisteredTaskManagers").contains("flink_taskmanager_job_task_operator_");

        JsonNode bench = StrictJson.parse(get("/v1/metrics?window=1h&task=bench", null, researcher).body());
        assertThat(bench.get("dimension").asText()).isEqualTo("task");
        assertThat(bench.at("/totals/traces/opened").asLong()).isPositive();
        assertThat(bench.get("windows")).allSatisfy(w -> assertThat(w.get("key").asText()).isEqualTo("bench"));
        assertThat(get("/v1/metrics?window=5m", null, researcher).statusCode()).isEqualTo(400);
        assertThat(get("/v1/metrics", null, null).statusCode()).isEqualTo(401);
    }

    // ---- helpers ----

    static String jdbcUrl() {
        return stack.jdbcUrl();
    }

    /** The first row of a query, its columns joined by spaces. */
    static String query(String sql, String... args) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
             java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    b.append(i > 1 ? " " : "").append(rs.getString(i));
                }
                return b.toString();
            }
        }
    }

    static void signIn(String token) {
        browser.get(gateway + "/console/sign-in");
        browser.findElement(By.id("token")).sendKeys(token);
        WebElement page = browser.findElement(By.tagName("html"));
        browser.findElement(By.id("sign-in")).click();
        // the form's post navigates: wait until the sign-in page is gone, so what follows reads the answer
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(org.openqa.selenium.support.ui.ExpectedConditions.stalenessOf(page));
    }

    static long events(Path example) throws Exception {
        return StrictJson.parse(Files.readAllBytes(example.resolve("trace.json"))).get("events").size();
    }

    static String attr(WebElement e, String name) {
        return e.getDomAttribute(name);
    }

    static void await(Duration timeout, java.util.concurrent.Callable<Boolean> condition) {
        new WebDriverWait(browser, timeout, Duration.ofMillis(100)).until(d -> {
            try {
                return condition.call();
            } catch (Exception e) {
                return false;
            }
        });
    }

    static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    static HttpResponse<String> get(String path, String cookie) throws Exception {
        return get(path, cookie, null);
    }

    static HttpResponse<String> get(String path, String cookie, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway + path)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
