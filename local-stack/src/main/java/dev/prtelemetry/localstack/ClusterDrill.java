package dev.prtelemetry.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.TraceVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./prt drill}: fault drills on the multi-process cluster. Under a steady load of
 * simulated recorders (which retry as the real recorder does: 429, 5xx and lost connections,
 * with backoff), it kills one TaskManager, one Kafka broker and one gateway with {@code kill -9},
 * then restarts PostgreSQL and the S3 store; after each fault it measures how long until a trace
 * uploaded after the fault is assembled in PostgreSQL (the pipeline's recovery). At the end it
 * checks the ledger of everything the gateway acknowledged against PostgreSQL: each acknowledged
 * chunk there exactly once with the events it was sent with, no chunk that was not acknowledged,
 * no duplicate event, and each completed trace complete with a chain that verifies from the rows.
 */
public final class ClusterDrill {
    /** The faults, in the order the drill injects them. */
    enum Fault {
        TASKMANAGER("kill -9 one Flink TaskManager"),
        BROKER("kill -9 one Kafka broker"),
        GATEWAY("kill -9 one gateway instance"),
        POSTGRES("restart PostgreSQL"),
        S3("restart the S3 store");

        final String description;

        Fault(String description) {
            this.description = description;
        }

        static List<Fault> parse(String list) {
            List<Fault> out = new ArrayList<>();
            for (String s : list.split(",")) {
                String n = s.strip().toUpperCase(java.util.Locale.ROOT).replace("-", "");
                switch (n) {
                    case "TASKMANAGER", "TM" -> out.add(TASKMANAGER);
                    case "BROKER", "KAFKA" -> out.add(BROKER);
                    case "GATEWAY" -> out.add(GATEWAY);
                    case "POSTGRES", "POSTGRESQL", "PG" -> out.add(POSTGRES);
                    case "S3" -> out.add(S3);
                    default -> throw new IllegalArgumentException("unknown fault '" + s + "' (taskmanager, broker, gateway, postgres, s3)");
                }
            }
            return out;
        }
    }

    record Options(int recorders, double chunksPerSecond, int eventsPerChunk, int eventsPerTrace, Duration steady,
                   Duration recoveryTimeout, Duration drainTimeout) {
        static Options defaults() {
            return new Options(8, 8, 20, 200, Duration.ofSeconds(15), Duration.ofMinutes(4), Duration.ofMinutes(4));
        }
    }

    /** One fault's outcome: when it was injected, how long until a trace sent after it was assembled, acks during it. */
    record FaultResult(Fault fault, String process, Instant at, long recoveryMs, long processBackMs, long longestAckGapMs,
                       long retriesDuring, boolean recovered) {
    }

    /** The ledger's verdict. */
    record Ledger(int traces, int completedTraces, long ackedChunks, long ackedEvents, long rowsInPostgres, long eventsInPostgres,
                  long missingChunks, long unexpectedChunks, long mismatchedChunks, long duplicateEvents, long incompleteTraces,
                  long chainFailures, List<String> problems) {
        boolean clean() {
            return missingChunks == 0 && unexpectedChunks == 0 && mismatchedChunks == 0 && duplicateEvents == 0
                    && incompleteTraces == 0 && chainFailures == 0;
        }
    }

    record Report(List<FaultResult> faults, Ledger ledger, long acks, Map<Integer, Long> retriedStatuses, double seconds) {
    }

    private final ClusterStack cluster;
    private final Options o;
    private final PrintStream out;
    private final String gateway;
    private final String researcher;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    /** trace id → what the gateway acknowledged for it. */
    private final Map<String, TraceLedger> ledger = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Long> ackTimes = new CopyOnWriteArrayList<>();
    private final Map<Integer, AtomicLong> retried = new ConcurrentHashMap<>(); // status (-1: no answer) → retries
    private final AtomicLong retries = new AtomicLong();
    private volatile boolean loading = true;

    static final class TraceLedger {
        final List<long[]> chunks = new CopyOnWriteArrayList<>(); // {chunkSeq, firstSeq, lastSeq}
        volatile String head;
        volatile long lastSeq = -1;
        volatile boolean completed;
    }

    ClusterDrill(ClusterStack cluster, String researcher, Options o, PrintStream out) {
        this.cluster = cluster;
        this.o = o;
        this.out = out;
        this.gateway = cluster.gatewayUrl();
        this.researcher = researcher;
    }

    /** Runs the load, the faults in order, then the ledger check. */
    Report run(List<Fault> faults) throws Exception {
        long t0 = System.nanoTime();
        List<Thread> recorders = new ArrayList<>();
        for (int i = 0; i < o.recorders(); i++) {
            int id = i;
            Thread t = new Thread(() -> recorder(id), "drill-recorder-" + i);
            t.setDaemon(true);
            t.start();
            recorders.add(t);
        }
        out.printf("drill: %d recorders, %.0f chunks/s of %d events in total; steady for %d s%n", o.recorders(),
                o.chunksPerSecond(), o.eventsPerChunk(), o.steady().toSeconds());
        Thread.sleep(o.steady().toMillis());
        List<FaultResult> results = new ArrayList<>();
        for (Fault f : faults) {
            FaultResult r = inject(f);
            results.add(r);
            out.printf("drill: %-34s %-20s recovered in %6.1f s (process healthy again after %5.1f s; longest gap between acks"
                            + " %5.1f s; %d retries)%n", f.description, r.process(), r.recoveryMs() / 1000.0,
                    r.processBackMs() / 1000.0, r.longestAckGapMs() / 1000.0, r.retriesDuring());
            Thread.sleep(o.steady().toMillis());
        }
        loading = false;
        for (Thread t : recorders) {
            t.join(o.drainTimeout().toMillis());
        }
        out.printf("drill: load stopped after %d acknowledged chunks; checking the ledger against PostgreSQL%n", ackTimes.size());
        Ledger l = awaitLedger();
        Map<Integer, Long> statuses = new HashMap<>();
        retried.forEach((k, v) -> statuses.put(k, v.get()));
        return new Report(results, l, ackTimes.size(), statuses, (System.nanoTime() - t0) / 1e9);
    }

    private FaultResult inject(Fault f) throws Exception {
        long retriesBefore = retries.get();
        long at = System.currentTimeMillis();
        String process;
        switch (f) {
            case TASKMANAGER -> {
                process = "flink-taskmanager-1";
                cluster.process(process).kill();
            }
            case BROKER -> {
                process = "kafka-2";
                cluster.process(process).kill();
            }
            case GATEWAY -> {
                process = "gateway-1";
                cluster.process(process).kill();
            }
            case POSTGRES -> {
                process = "postgresql";
                cluster.restartPostgres();
            }
            case S3 -> {
                process = "s3";
                Supervised s3 = cluster.process(process);
                s3.stop(Duration.ofSeconds(10));
                s3.start();
            }
            default -> throw new IllegalStateException(f.name());
        }
        // the pipeline has recovered when a trace sent after the fault is assembled in PostgreSQL
        String probe = "drill-" + run + "-probe-" + f.name().toLowerCase(java.util.Locale.ROOT);
        long recovered = -1;
        Thread prober = new Thread(() -> uploadTrace(probe, -1, new SplittableRandom(f.ordinal()), 2), "drill-probe");
        prober.setDaemon(true);
        prober.start();
        long deadline = at + o.recoveryTimeout().toMillis();
        long processBack = -1;
        while (System.currentTimeMillis() < deadline && (recovered < 0 || processBack < 0)) {
            if (processBack < 0 && processHealthy(process)) {
                processBack = System.currentTimeMillis() - at;
            }
            if (recovered < 0 && "complete".equals(traceState(probe))) {
                recovered = System.currentTimeMillis() - at;
            }
            Thread.sleep(200);
        }
        long gap = longestAckGap(at, System.currentTimeMillis());
        return new FaultResult(f, process, Instant.ofEpochMilli(at), recovered, processBack, gap, retries.get() - retriesBefore,
                recovered >= 0);
    }

    private boolean processHealthy(String process) {
        if (process.equals("postgresql")) {
            return canQuery();
        }
        Supervised s = cluster.process(process);
        if (!s.healthy()) {
            return false;
        }
        if (process.startsWith("flink-taskmanager")) {
            return taskManagersRegistered() >= ClusterStack.TASK_MANAGERS;
        }
        return true;
    }

    private int taskManagersRegistered() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + cluster.flinkRest() + "/overview"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return StrictJson.parse(r.body().getBytes(StandardCharsets.UTF_8)).path("taskmanagers").asInt();
        } catch (Exception e) {
            return 0;
        }
    }

    /** The longest time between two acknowledgements (or from the fault to the first) between {@code from} and {@code to}. */
    private long longestAckGap(long from, long to) {
        long last = from;
        long gap = 0;
        List<Long> times = new ArrayList<>(ackTimes);
        times.sort(Comparator.naturalOrder());
        for (long t : times) {
            if (t >= from && t <= to) {
                gap = Math.max(gap, t - last);
                last = t;
            }
        }
        return last == from ? to - from : gap;
    }

    private void recorder(int id) {
        SplittableRandom random = new SplittableRandom(id);
        for (int n = 0; loading; n++) {
            uploadTrace("drill-" + run + "-" + id + "-" + n, id, random, o.eventsPerTrace() / o.eventsPerChunk());
        }
    }

    /** One trace as a recorder sends it: create, the chunks (paced), complete; every request retried until answered. */
    private void uploadTrace(String traceId, int recorder, SplittableRandom random, int chunks) {
        boolean probe = recorder < 0;
        String create = BenchMain.Bench.createBody(Math.max(0, recorder), traceId);
        HttpResponse<String> created = send("/v1/traces", researcher, create, null);
        if (created == null || created.statusCode() != 201 && created.statusCode() != 200) {
            out.println("drill: creating " + traceId + " was refused: " + (created == null ? "no answer" : created.statusCode()
                    + " " + created.body()));
            return;
        }
        String token = StrictJson.parse(created.body().getBytes(StandardCharsets.UTF_8)).get("upload_token").asText();
        TraceLedger entry = new TraceLedger();
        ledger.put(traceId, entry);
        HashChain chain = new HashChain(traceId);
        long interval = (long) (1000.0 * o.recorders() / o.chunksPerSecond());
        for (int c = 0; c < chunks && (loading || probe); c++) {
            long first = chain.nextSeq();
            String body = BenchMain.Bench.chunk(traceId, chain, c, probe ? 5 : o.eventsPerChunk(), random).toString();
            long sent = System.currentTimeMillis();
            HttpResponse<String> r = send("/v1/traces/" + traceId + "/events:ingest", token, body, traceId + "|" + c);
            if (r == null || r.statusCode() != 202) {
                out.println("drill: chunk " + c + " of " + traceId + " was refused: " + (r == null ? "no answer" : r.statusCode()
                        + " " + r.body()));
                return;
            }
            entry.chunks.add(new long[] {c, first, chain.nextSeq() - 1});
            entry.head = chain.head();
            entry.lastSeq = chain.nextSeq() - 1;
            ackTimes.add(System.currentTimeMillis());
            if (!probe) {
                long wait = interval - (System.currentTimeMillis() - sent);
                if (wait > 0) {
                    sleep(wait);
                }
            }
        }
        if (entry.lastSeq < 0) {
            return; // stopped before its first chunk: nothing to complete (the idle timeout closes it)
        }
        String complete = StrictJson.mapper().createObjectNode().put("final_seq", entry.lastSeq).put("chain_head", entry.head)
                .toString();
        HttpResponse<String> done = send("/v1/traces/" + traceId + "/complete", token, complete, null);
        if (done != null && done.statusCode() / 100 == 2) {
            entry.completed = true;
        } else {
            out.println("drill: completing " + traceId + " was refused: " + (done == null ? "no answer" : done.statusCode()));
        }
    }

    /** A POST retried as the recorder retries ({@link DemoMain#postRetrying}); null if it got no answer until the drain timeout. */
    private HttpResponse<String> send(String path, String token, String body, String idempotencyKey) {
        try {
            return DemoMain.postRetrying(http, gateway + path, token, body, idempotencyKey, o.drainTimeout(), status -> {
                retries.incrementAndGet();
                retried.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
            });
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String traceState(String traceId) {
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement("SELECT state FROM traces WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (Exception e) {
            return null;
        }
    }

    private boolean canQuery() {
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "postgres")) {
            return c.isValid(2);
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits until PostgreSQL holds everything acknowledged (or the drain timeout), then checks it all. */
    private Ledger awaitLedger() throws Exception {
        long deadline = System.currentTimeMillis() + o.drainTimeout().toMillis();
        Ledger l;
        do {
            l = checkLedger();
            if (l.clean()) {
                return l;
            }
            Thread.sleep(1000);
        } while (System.currentTimeMillis() < deadline);
        return l;
    }

    Ledger checkLedger() throws Exception {
        long ackedChunks = 0;
        long ackedEvents = 0;
        long rows = 0;
        long events = 0;
        long missing = 0;
        long unexpected = 0;
        long mismatched = 0;
        long duplicates = 0;
        long incomplete = 0;
        long chainFailures = 0;
        int completed = 0;
        List<String> problems = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "postgres");
             PreparedStatement chunks = c.prepareStatement(
                     "SELECT chunk_seq, first_seq, last_seq, events::text FROM trace_event_chunks WHERE trace_id = ? ORDER BY chunk_seq");
             PreparedStatement trace = c.prepareStatement("SELECT state, chain_head, event_count FROM traces WHERE trace_id = ?")) {
            for (Map.Entry<String, TraceLedger> e : ledger.entrySet()) {
                String traceId = e.getKey();
                TraceLedger t = e.getValue();
                Map<Long, long[]> acked = new HashMap<>();
                for (long[] chunk : t.chunks) {
                    acked.put(chunk[0], chunk);
                    ackedChunks++;
                    ackedEvents += chunk[2] - chunk[1] + 1;
                }
                chunks.setString(1, traceId);
                List<JsonNode> rowEvents = new ArrayList<>();
                Map<Long, Integer> seqs = new HashMap<>();
                java.util.Set<Long> seen = new java.util.HashSet<>();
                try (ResultSet rs = chunks.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        long chunkSeq = rs.getLong(1);
                        seen.add(chunkSeq);
                        long[] a = acked.get(chunkSeq);
                        ArrayNode list = (ArrayNode) StrictJson.parse(rs.getString(4).getBytes(StandardCharsets.UTF_8));
                        events += list.size();
                        if (a == null) {
                            unexpected++;
                            problems.add(traceId + " chunk " + chunkSeq + " is in PostgreSQL but was never acknowledged");
                        } else if (a[1] != rs.getLong(2) || a[2] != rs.getLong(3) || list.size() != a[2] - a[1] + 1) {
                            mismatched++;
                            problems.add(traceId + " chunk " + chunkSeq + ": sent seq " + a[1] + ".." + a[2] + ", stored "
                                    + rs.getLong(2) + ".." + rs.getLong(3) + " with " + list.size() + " events");
                        }
                        for (JsonNode ev : list) {
                            long seq = ev.path("seq").asLong(-1);
                            if (seqs.merge(seq, 1, Integer::sum) > 1) {
                                duplicates++;
                                problems.add(traceId + " event seq " + seq + " is stored twice");
                            }
                            rowEvents.add(ev);
                        }
                    }
                }
                for (Long chunkSeq : acked.keySet()) {
                    if (!seen.contains(chunkSeq)) {
                        missing++;
                        if (problems.size() < 50) {
                            problems.add(traceId + " chunk " + chunkSeq + " was acknowledged but is not in PostgreSQL");
                        }
                    }
                }
                if (t.completed) {
                    completed++;
                    trace.setString(1, traceId);
                    try (ResultSet rs = trace.executeQuery()) {
                        if (!rs.next() || !"complete".equals(rs.getString(1))) {
                            incomplete++;
                            problems.add(traceId + " was completed by its recorder but is " + (rs.getRow() == 0 ? "absent" : rs.getString(1)));
                            continue;
                        }
                        rowEvents.sort(Comparator.comparingLong(x -> x.path("seq").asLong()));
                        ChainVerdict v = TraceVerifier.verify(traceId, rowEvents);
                        if (!v.intact() || !t.head.equals(v.head()) || !t.head.equals(rs.getString(2))
                                || rs.getLong(3) != rowEvents.size()) {
                            chainFailures++;
                            problems.add(traceId + ": chain from the rows " + v.summary() + ", recorder's head " + t.head
                                    + ", traces.chain_head " + rs.getString(2));
                        }
                    }
                }
            }
        }
        return new Ledger(ledger.size(), completed, ackedChunks, ackedEvents, rows, events, missing, unexpected, mismatched,
                duplicates, incomplete, chainFailures, problems.subList(0, Math.min(problems.size(), 50)));
    }

    static ObjectNode toJson(Report r) {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        ArrayNode faults = out.putArray("faults");
        for (FaultResult f : r.faults()) {
            faults.addObject().put("fault", f.fault().description).put("process", f.process()).put("at", f.at().toString())
                    .put("recovered", f.recovered()).put("recovery_s", f.recoveryMs() / 1000.0)
                    .put("process_healthy_after_s", f.processBackMs() / 1000.0)
                    .put("longest_ack_gap_s", f.longestAckGapMs() / 1000.0).put("retries", f.retriesDuring());
        }
        out.set("ledger", StrictJson.mapper().valueToTree(r.ledger()));
        out.put("acknowledged_chunks", r.acks());
        out.set("retried_by_status", StrictJson.mapper().valueToTree(r.retriedStatuses()));
        out.put("seconds", r.seconds());
        return out;
    }

    static final String HELP = """
            usage: ./prt drill [--faults taskmanager,broker,gateway,postgres,s3] [--recorders N] [--chunks-per-second R]
                               [--events-per-chunk N] [--events-per-trace N] [--steady S]

            Starts the multi-process cluster (as ./prt up --cluster) on a fresh folder beside the data folder
            (<data>-drill), puts a steady load on it, injects the faults one after another — kill -9 a TaskManager,
            a Kafka broker, a gateway; restart PostgreSQL, the S3 store — and reports each one's recovery time; then
            checks that every chunk the gateway acknowledged is in PostgreSQL exactly once, with no duplicate event,
            and that every completed trace is complete and its chain verifies. Exit 0 only if all of that holds.
            """;

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        if (a.contains("--help") || a.contains("-h")) {
            System.out.print(HELP);
            return;
        }
        Options d = Options.defaults();
        List<Fault> faults;
        Options o;
        Path data;
        try {
            for (int i = 0; i < a.size(); i += 2) {
                if (!List.of("--data", "--faults", "--recorders", "--chunks-per-second", "--events-per-chunk", "--events-per-trace",
                        "--steady").contains(a.get(i)) || i + 1 >= a.size()) {
                    throw new IllegalArgumentException("unknown or incomplete option '" + a.get(i) + "'");
                }
            }
            faults = Fault.parse(value(a, "--faults", "taskmanager,broker,gateway,postgres,s3"));
            o = new Options(Integer.parseInt(value(a, "--recorders", String.valueOf(d.recorders()))),
                    Double.parseDouble(value(a, "--chunks-per-second", String.valueOf(d.chunksPerSecond()))),
                    Integer.parseInt(value(a, "--events-per-chunk", String.valueOf(d.eventsPerChunk()))),
                    Integer.parseInt(value(a, "--events-per-trace", String.valueOf(d.eventsPerTrace()))),
                    Duration.ofSeconds(Long.parseLong(value(a, "--steady", String.valueOf(d.steady().toSeconds())))),
                    d.recoveryTimeout(), d.drainTimeout());
            data = Path.of(value(a, "--data", ".prt-data")).toAbsolutePath();
        } catch (IllegalArgumentException e) {
            System.err.println("prt drill: " + e.getMessage() + "\n" + HELP);
            System.exit(2);
            return;
        }
        if (StackMain.runningStack(data).isPresent()) {
            System.err.println("prt drill: a stack is running on " + data + " and holds the ports; stop it with ./prt down first");
            System.exit(1);
        }
        Path drillData = data.resolveSibling(data.getFileName() + "-drill");
        if (Files.exists(drillData)) {
            StackMain.deleteTree(drillData);
        }
        Files.createDirectories(drillData);
        Path root = Path.of(System.getProperty("prt.root", ".")).toAbsolutePath().normalize();
        System.out.println("prt drill: starting the cluster on " + drillData + " (logs in " + drillData.resolve("logs") + ")");
        int code;
        try (ClusterStack cluster = ClusterStack.start(StackConfig.fromEnv(drillData, root, System.getenv()), System.getenv())) {
            String researcher = Files.readString(drillData.resolve("researcher.token")).strip();
            Report r = new ClusterDrill(cluster, researcher, o, System.out).run(faults);
            ObjectNode json = toJson(r);
            Path report = Files.createDirectories(drillData.resolve("drill")).resolve("drill-" + Instant.now().toString()
                    .replace(':', '-') + ".json");
            Files.writeString(report, StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
            Ledger l = r.ledger();
            System.out.printf("ledger: %d traces (%d completed), %d chunks / %d events acknowledged; PostgreSQL holds %d chunk rows /"
                            + " %d events; missing %d, unexpected %d, changed %d, duplicate events %d, incomplete %d, chain failures %d%n",
                    l.traces(), l.completedTraces(), l.ackedChunks(), l.ackedEvents(), l.rowsInPostgres(), l.eventsInPostgres(),
                    l.missingChunks(), l.unexpectedChunks(), l.mismatchedChunks(), l.duplicateEvents(), l.incompleteTraces(),
                    l.chainFailures());
            l.problems().forEach(p -> System.out.println("  " + p));
            boolean allRecovered = r.faults().stream().allMatch(FaultResult::recovered);
            System.out.println((l.clean() && allRecovered ? "OK" : "FAIL") + " drill: " + r.faults().size() + " faults, "
                    + (allRecovered ? "each recovered" : "not every fault recovered") + "; report " + report);
            code = l.clean() && allRecovered ? 0 : 1;
        }
        System.exit(code);
    }

    private static String value(List<String> args, String name, String def) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : def;
    }
}
