package dev.prtelemetry.gateway.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.prtelemetry.gateway.MetricsReads;
import dev.prtelemetry.gateway.Problem;
import dev.prtelemetry.gateway.QueryValues;
import dev.prtelemetry.gateway.TraceReads;
import dev.prtelemetry.schemas.json.StrictJson;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The web console at {@code /console/}: sign-in, the live dashboard (its data and a server-sent
 * event stream of changed metric windows), the list of traces and the trace viewer. Every page
 * but the sign-in needs a session ({@link ConsoleSessions}); a participant sees only their own
 * traces and metrics.
 */
@Controller("/console")
public class ConsoleController {
    private static final Duration STREAM_TICK = Duration.ofSeconds(1);
    private static final int HEARTBEAT_TICKS = 15;

    private final ConsoleSessions sessions;
    private final TraceReads reads;
    private final MetricsReads metrics;

    public ConsoleController(ConsoleSessions sessions, TraceReads reads, MetricsReads metrics) {
        this.sessions = sessions;
        this.reads = reads;
        this.metrics = metrics;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> home(HttpRequest<?> request) {
        return HttpResponse.seeOther(URI.create(sessions.viewer(request).isPresent() ? "/console/dashboard" : "/console/sign-in"));
    }

    @Get(uri = "/sign-in", produces = MediaType.TEXT_HTML)
    public HttpResponse<String> signInPage() {
        return page(ConsolePages.signIn(null));
    }

    @Post(uri = "/sign-in", consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
    public HttpResponse<?> signIn(HttpRequest<?> request, @Body @Nullable String body) {
        if (!ConsoleSessions.sameOrigin(request)) {
            return page(ConsolePages.signIn("This form was sent from another site; open the console and sign in there."))
                    .status(HttpStatus.FORBIDDEN);
        }
        Viewer viewer;
        try {
            viewer = sessions.signIn(form(body).get("token"));
        } catch (Problem p) {
            return page(ConsolePages.signIn(p.getMessage())).status(HttpStatus.UNAUTHORIZED);
        }
        return HttpResponse.seeOther(URI.create("/console/dashboard"))
                .cookie(sessions.cookieFor(viewer, ConsoleSessions.secure(request)));
    }

    @Post(uri = "/sign-out", consumes = MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> signOut(HttpRequest<?> request, @Body @Nullable String body) {
        if (!ConsoleSessions.csrfMatches(request, form(body).get("csrf"))) {
            return HttpResponse.status(HttpStatus.FORBIDDEN).body("the form's CSRF token does not match this session");
        }
        return HttpResponse.seeOther(URI.create("/console/sign-in")).cookie(ConsoleSessions.cleared(ConsoleSessions.secure(request)));
    }

    @Get(uri = "/dashboard", produces = MediaType.TEXT_HTML)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> dashboard(HttpRequest<?> request) {
        Optional<Viewer> viewer = sessions.viewer(request);
        if (viewer.isEmpty()) {
            return toSignIn();
        }
        List<String> tasks = viewer.get().isResearcher() ? metrics.recentTasks(Instant.now().minus(Duration.ofDays(7))) : List.of();
        return page(ConsolePages.dashboard(viewer.get(), ConsoleSessions.csrf(request), tasks));
    }

    /** The windows behind the dashboard: per minute up to 6 hours back, per hour beyond. */
    @Get(uri = "/dashboard/data", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> dashboardData(HttpRequest<?> request, @QueryValue(defaultValue = "1h") String range,
                                         @QueryValue @Nullable String task) {
        Optional<Viewer> viewer = sessions.viewer(request);
        if (viewer.isEmpty()) {
            return HttpResponse.unauthorized();
        }
        Duration span = range(range);
        Instant to = Instant.now().plusSeconds(60);
        String size = span.compareTo(Duration.ofHours(6)) <= 0 ? "1m" : "1h";
        MetricsReads.Query q = scope(viewer.get(), task, size, to.minus(span), to);
        return HttpResponse.ok(metrics.windows(q).toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /**
     * Server-sent events: every second, the windows of the viewer's scope that changed since the
     * last event ({@code event: windows}, a JSON array), and a comment every 15 s so proxies keep
     * the connection open.
     */
    @Get(uri = "/dashboard/stream", produces = MediaType.TEXT_EVENT_STREAM)
    public Publisher<Event<String>> stream(HttpRequest<?> request, @QueryValue(defaultValue = "1h") String range,
                                           @QueryValue @Nullable String task) {
        Viewer viewer = sessions.viewer(request).orElseThrow(() -> Problem.unauthorized("sign in to the console first"));
        Duration span = range(range);
        String size = span.compareTo(Duration.ofHours(6)) <= 0 ? "1m" : "1h";
        MetricsReads.Query q = scope(viewer, task, size, Instant.now().minus(span), Instant.now().plusSeconds(60));
        AtomicReference<Instant> seen = new AtomicReference<>(Instant.now().minusSeconds(5));
        return Flux.interval(Duration.ZERO, STREAM_TICK, Schedulers.boundedElastic()).concatMap(tick -> {
            try {
                List<JsonNode> changed = new ArrayList<>();
                for (var w : metrics.changedSince(q, seen.get(), Instant.now().minus(span))) {
                    changed.add(w);
                    Instant at = Instant.parse(w.path("updated_at").asText());
                    if (at.isAfter(seen.get())) {
                        seen.set(at);
                    }
                }
                if (!changed.isEmpty()) {
                    ArrayNode list = StrictJson.mapper().createArrayNode().addAll(changed);
                    return Flux.just(Event.of(list.toString()).name("windows"));
                }
                return tick % HEARTBEAT_TICKS == 0 ? Flux.just(Event.of("").comment("heartbeat")) : Flux.empty();
            } catch (java.sql.SQLException e) {
                return Flux.just(Event.of("{\"error\":\"the database did not answer; retrying\"}").name("trouble"));
            }
        });
    }

    @Get(uri = "/traces", produces = MediaType.TEXT_HTML)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> traceList(HttpRequest<?> request, @QueryValue @Nullable String state, @QueryValue @Nullable String verdict,
                                     @QueryValue @Nullable String participant, @QueryValue @Nullable String task,
                                     @QueryValue @Nullable String from, @QueryValue @Nullable String to,
                                     @QueryValue("min_score") @Nullable String minScore, @QueryValue @Nullable String cursor) {
        Optional<Viewer> viewer = sessions.viewer(request);
        if (viewer.isEmpty()) {
            return toSignIn();
        }
        Map<String, String> query = new HashMap<>();
        query.put("state", state);
        query.put("verdict", verdict);
        query.put("participant", participant);
        query.put("task", task);
        query.put("from", from);
        query.put("to", to);
        query.put("min_score", minScore);
        TraceReads.Filter f = new TraceReads.Filter(blank(state),
                viewer.get().isResearcher() ? blank(participant) : viewer.get().participant(), blank(task),
                QueryValues.instant(from, "from"), QueryValues.instant(to, "to"), blank(verdict), QueryValues.score(minScore));
        JsonNode page = StrictJson.parseAccepted(reads.listPage(f, blank(cursor), 50));
        return page(ConsolePages.traces(viewer.get(), ConsoleSessions.csrf(request), f, page, query));
    }

    @Get(uri = "/traces/{id}", produces = MediaType.TEXT_HTML)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> trace(HttpRequest<?> request, @PathVariable String id) {
        Optional<Viewer> viewer = sessions.viewer(request);
        if (viewer.isEmpty()) {
            return toSignIn();
        }
        JsonNode view = visibleTrace(viewer.get(), id);
        JsonNode document = null;
        List<JsonNode> events = new ArrayList<>();
        if (!view.path("document_uri").asText("").isEmpty()) {
            document = StrictJson.parseAccepted(reads.document(id));
            document.path("events").forEach(events::add);
        } else {
            long next = 0;
            while (next >= 0 && events.size() < 100_000) {
                JsonNode page = StrictJson.parseAccepted(reads.eventsPage(id, next, 1000));
                page.path("events").forEach(events::add);
                next = page.path("next_seq").isNumber() ? page.path("next_seq").asLong() : -1;
            }
        }
        return page(TraceViewPage.render(viewer.get(), ConsoleSessions.csrf(request), view, document, events));
    }

    /** The stored document, byte for byte, for the in-browser verification. */
    @Get(uri = "/traces/{id}/document", produces = MediaType.APPLICATION_JSON)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> document(HttpRequest<?> request, @PathVariable String id) {
        Optional<Viewer> viewer = sessions.viewer(request);
        if (viewer.isEmpty()) {
            return HttpResponse.unauthorized();
        }
        visibleTrace(viewer.get(), id);
        return HttpResponse.ok(reads.document(id)).contentType(MediaType.APPLICATION_JSON_TYPE).header("Cache-Control", "no-store");
    }

    private JsonNode visibleTrace(Viewer viewer, String id) {
        dev.prtelemetry.gateway.Access.checkTraceId(id);
        JsonNode view = StrictJson.parseAccepted(reads.traceView(id));
        if (!viewer.maySee(view.path("participant_id").asText(null))) {
            throw Problem.notFound("no trace " + id); // a participant does not learn that another's trace exists
        }
        return view;
    }

    private static MetricsReads.Query scope(Viewer viewer, String task, String size, Instant from, Instant to) {
        if (!viewer.isResearcher()) {
            return new MetricsReads.Query(size, "participant", viewer.participant(), from, to);
        }
        return blank(task) == null ? new MetricsReads.Query(size, "all", "", from, to) : new MetricsReads.Query(size, "task", task, from, to);
    }

    private static Duration range(String range) {
        return switch (range) {
            case "15m" -> Duration.ofMinutes(15);
            case "1h" -> Duration.ofHours(1);
            case "6h" -> Duration.ofHours(6);
            case "24h" -> Duration.ofHours(24);
            case "7d" -> Duration.ofDays(7);
            default -> throw Problem.badRequest("bad-range", "range is 15m, 1h, 6h, 24h or 7d");
        };
    }

    private static HttpResponse<?> toSignIn() {
        return HttpResponse.seeOther(URI.create("/console/sign-in"));
    }

    private static MutableHttpResponse<String> page(String html) {
        return HttpResponse.ok(html).contentType(MediaType.TEXT_HTML_TYPE + ";charset=utf-8")
                .header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin")
                .header("Cache-Control", "no-store");
    }

    static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        if (body == null) {
            return out;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
