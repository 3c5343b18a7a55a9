package dev.prtelemetry.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.TraceRecords;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./prt bench ingest}: N simulated recorders upload realistic traces over HTTP to the
 * running stack, open-loop at a target event rate (latency measured from each chunk's
 * scheduled send time, so a stalled server is not hidden) or as fast as acknowledgements
 * allow. The headline is end to end: events that became visible in PostgreSQL per second
 * during the run, with the backlog (acknowledged, not yet visible) at the middle and at the
 * end of it, so a pipeline falling behind shows; also accepted events/s, chunk-ack and
 * event-visible latency p50/p99, errors, CPU and RSS per process, and — measured first, in the
 * same run — the raw Kafka producer rate for the same record bytes. Writes JSON and a PNG chart.
 */
public final class BenchMain {
    private BenchMain() {
    }

    record Options(int recorders, double rate, int seconds, int eventsPerChunk, int eventsPerTrace, int rawSeconds,
                   long pregenerateEvents) {
    }

    static final String HELP = """
            usage: ./prt bench ingest [--cluster] [--duration S] [--rate EVENTS_PER_S] [--recorders N]
                                      [--events-per-chunk N] [--events-per-trace N] [--raw-seconds S]

            Simulated recorders upload realistic traces over HTTP to the running stack (./prt up).
              --cluster             no running stack needed: starts the single-process stack, runs the load, stops it;
                                    then the same on the multi-process cluster (./prt up --cluster); prints both
              --duration S          seconds of load (default 60)
              --rate R              open loop at R events/s in total; 0 = as fast as acknowledgements allow (default 0)
              --recorders N         concurrent recorders, one trace at a time each (default 32)
              --events-per-chunk N  events per upload (default 100)
              --events-per-trace N  events before a recorder completes its trace and starts another (default 2000)
              --raw-seconds S       seconds of the raw Kafka producer measured first, for comparison (default 15)
              --pregenerate-events N  events built and hashed before the run (default 1200000, about 0.5 GiB), so the
                                    recorders' own hashing does not take the pipeline's CPU; 0 = build them during the run
            Headline: events visible in PostgreSQL per second (end to end), the backlog at the middle and
            the end, and its ratio to the raw Kafka rate. Writes .prt-data/bench/ingest-<time>.json and .png.
            """;

    public static void main(String[] args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.remove("ingest");
        if (a.contains("--help") || a.contains("-h") || a.contains("help")) {
            System.out.print(HELP);
            return;
        }
        boolean cluster = a.remove("--cluster");
        for (int i = 0; i < a.size(); i += 2) {
            if (!List.of("--data", "--recorders", "--rate", "--duration", "--events-per-chunk", "--events-per-trace",
                    "--raw-seconds", "--pregenerate-events").contains(a.get(i)) || i + 1 >= a.size()) {
                System.err.println("prt bench: unknown or incomplete option '" + a.get(i) + "'\n" + HELP);
                System.exit(2);
            }
        }
        Path data = Path.of(value(a, "--data", ".prt-data")).toAbsolutePath();
        Options o = new Options(Integer.parseInt(value(a, "--recorders", "32")), Double.parseDouble(value(a, "--rate", "0")),
                Integer.parseInt(value(a, "--duration", "60")), Integer.parseInt(value(a, "--events-per-chunk", "100")),
                Integer.parseInt(value(a, "--events-per-trace", "2000")), Integer.parseInt(value(a, "--raw-seconds", "15")),
                Long.parseLong(value(a, "--pregenerate-events", "1200000")));
        if (cluster) {
            System.exit(compare(data, o));
        }
        String gateway = "http://127.0.0.1:" + System.getenv().getOrDefault("PRT_GATEWAY_PORT", "8000");
        if (StackMain.runningStack(data).isEmpty()) {
            System.err.println("prt bench: start the stack first (./prt up, or ./prt demo); or --cluster, which starts both kinds");
            System.exit(1);
        }
        DemoMain.awaitReady(gateway, Duration.ofSeconds(30));
        ObjectNode report = runOnce(data, gateway, o);
        Path out = Files.createDirectories(data.resolve("bench"));
        System.out.println(StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.out.println("wrote " + out.resolve(report.get("file").asText()) + " and its .png");
        System.exit(0);
    }

    /**
     * {@code --cluster}: the same load on the single-process stack and then on the multi-process
     * cluster, each started fresh on its own folder beside the data folder and stopped after, and
     * the two results side by side.
     */
    static int compare(Path data, Options o) throws Exception {
        if (StackMain.runningStack(data).isPresent()) {
            System.err.println("prt bench --cluster: a stack is running on " + data + " and holds the ports; ./prt down first");
            return 1;
        }
        Path root = Path.of(System.getProperty("prt.root", ".")).toAbsolutePath().normalize();
        String gateway = "http://127.0.0.1:" + System.getenv().getOrDefault("PRT_GATEWAY_PORT", "8000");
        Map<String, ObjectNode> reports = new java.util.LinkedHashMap<>();
        for (String mode : List.of("single-process", "cluster")) {
            Path d = data.resolveSibling(data.getFileName() + "-bench-" + mode);
            if (Files.exists(d)) {
                StackMain.deleteTree(d);
            }
            Files.createDirectories(d.resolve("logs"));
            System.out.println("prt bench: starting the " + mode + " stack on " + d);
            List<String> up = new ArrayList<>(List.of("setsid", root.resolve("prt").toString(), "up"));
            if (mode.equals("cluster")) {
                up.add("--cluster");
            }
            ProcessBuilder pb = new ProcessBuilder(up).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("logs/stack.out").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("PRT_DATA_DIR", d.toString());
            pb.start();
            try {
                DemoMain.awaitReady(gateway, Duration.ofMinutes(5));
                // the gateway answers before the job runs: measure only once the whole pipeline does
                awaitPipeline(d, mode.equals("cluster"), Duration.ofMinutes(5));
                reports.put(mode, runOnce(d, gateway, o));
            } finally {
                StackMain.down(d);
            }
        }
        ObjectNode both = StrictJson.mapper().createObjectNode();
        reports.forEach(both::set);
        Path out = Files.createDirectories(data.resolve("bench"));
        Path json = out.resolve("ingest-compare-" + Instant.now().toString().replace(':', '-') + ".json");
        Files.writeString(json, StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(both));
        System.out.printf("%n%-16s %14s %14s %14s %12s %12s %8s%n", "", "visible ev/s", "accepted ev/s", "raw Kafka ev/s",
                "ack p50 ms", "ack p99 ms", "errors");
        reports.forEach((mode, r) -> {
            JsonNode p = r.path("pipeline");
            long errors = 0;
            for (JsonNode e : p.path("errors")) {
                errors += e.asLong();
            }
            System.out.printf("%-16s %14d %14d %14d %12.0f %12.0f %8d%n", mode, p.path("visible_in_postgres_events_per_s").asLong(),
                    p.path("accepted_events_per_s").asLong(), r.path("raw_kafka_events_per_s").asLong(),
                    p.path("chunk_ack_ms").path("p50").asDouble(), p.path("chunk_ack_ms").path("p99").asDouble(), errors);
        });
        System.out.println("(both on this machine, " + Runtime.getRuntime().availableProcessors() + " cores; the cluster's"
                + " Kafka keeps 3 copies with min.insync.replicas=2, the single process's 1)");
        System.out.println("wrote " + json);
        return 0;
    }

    /**
     * Waits until the stack is up (for the cluster: its {@code cluster.json} written) and the trace
     * assembly job runs with every task running, then 15 s more for its first checkpoint.
     */
    static void awaitPipeline(Path data, boolean cluster, Duration timeout) throws Exception {
        StackConfig stack = StackConfig.fromEnv(data, Path.of("."), System.getenv());
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean running = false;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.flinkRestPort()
                        + "/jobs/overview")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                for (JsonNode job : StrictJson.parse(r.body().getBytes(StandardCharsets.UTF_8)).path("jobs")) {
                    running |= job.path("name").asText().equals(dev.prtelemetry.flink.job.TraceAssemblyJob.NAME)
                            && job.path("state").asText().equals("RUNNING")
                            && job.at("/tasks/running").asInt() == job.at("/tasks/total").asInt();
                }
            } catch (java.io.IOException e) {
                // not serving yet
            }
            if (running && (!cluster || Files.isRegularFile(data.resolve(ClusterStack.STATE_FILE)))) {
                Thread.sleep(15_000);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the trace assembly did not run with all its tasks within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(500);
        }
    }

    /** One bench run on the stack serving {@code gateway} with its data in {@code data}: the report, also written there. */
    static ObjectNode runOnce(Path data, String gateway, Options o) throws Exception {
        String researcher = Files.readString(data.resolve("researcher.token")).strip();
        StackConfig stack = StackConfig.fromEnv(data, Path.of("."), System.getenv());
        String kafka = stack.externalKafka() != null ? stack.externalKafka() : kafkaBootstrap(data, stack);
        String jdbc = stack.externalJdbcUrl() != null ? stack.externalJdbcUrl()
                : "jdbc:postgresql://127.0.0.1:" + stack.postgresPort() + "/postgres";

        ObjectNode report = StrictJson.mapper().createObjectNode();
        report.put("started_at", Instant.now().toString());
        report.put("stack", Files.isRegularFile(data.resolve(ClusterStack.STATE_FILE)) ? "cluster" : "single-process");
        report.set("options", StrictJson.mapper().valueToTree(o));
        report.put("cores", Runtime.getRuntime().availableProcessors());

        double raw = rawKafkaRate(kafka, o);
        report.put("raw_kafka_events_per_s", Math.round(raw));
        System.out.printf("raw Kafka producer, same record bytes: %.0f events/s%n", raw);

        Bench bench = new Bench(gateway, researcher, jdbc, o);
        long pre = System.nanoTime();
        bench.pregenerate();
        report.put("pregenerated_traces", bench.pregenerated.size());
        System.out.printf("pre-generated %d traces (%d events) in %.1f s%n", bench.pregenerated.size(),
                (long) bench.pregenerated.size() * o.eventsPerTrace(), (System.nanoTime() - pre) / 1e9);
        Map<String, long[]> cpuBefore = ProcessStats.cpuTicks(data);
        long t0 = System.nanoTime();
        bench.run();
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, long[]> cpuAfter = ProcessStats.cpuTicks(data);
        bench.report(report, raw);
        report.set("processes", ProcessStats.report(cpuBefore, cpuAfter, wall, data));

        Path out = Files.createDirectories(data.resolve("bench"));
        String stamp = Instant.now().toString().replace(':', '-');
        Path json = out.resolve("ingest-" + stamp + ".json");
        report.put("file", json.getFileName().toString());
        Files.writeString(json, StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        bench.chart(out.resolve("ingest-" + stamp + ".png"), raw);
        System.out.printf("%s: %d events/s visible in PostgreSQL, %d accepted%n", report.get("stack").asText(),
                report.path("pipeline").path("visible_in_postgres_events_per_s").asLong(),
                report.path("pipeline").path("accepted_events_per_s").asLong());
        return report;
    }

    /** The running stack's Kafka: every node of the cluster (from cluster.json's ports), or the embedded broker. */
    static String kafkaBootstrap(Path data, StackConfig stack) {
        if (Files.isRegularFile(data.resolve(ClusterStack.STATE_FILE))) {
            return ClusterStack.Ports.from(stack, System.getenv()).kafka().stream().map(p -> "127.0.0.1:" + p)
                    .collect(java.util.stream.Collectors.joining(","));
        }
        return "127.0.0.1:" + stack.kafkaPort();
    }

    /** Sends chunk-sized records of the same bytes straight to Kafka: the ceiling the pipeline is measured against. */
    static double rawKafkaRate(String kafka, Options o) throws Exception {
        // as many copies as the stack's own topics keep (3 on the cluster), so the ceiling is comparable
        short copies = (short) Math.min(3, kafka.split(",").length);
        EmbeddedKafka.createTopics(kafka, List.of(new NewTopic("prt.bench-raw", 4, copies)));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 << 20));
        List<byte[]> records = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 16; i++) {
            String traceId = "raw-" + i;
            records.add(TraceRecords.chunk(traceId, 0, Bench.chunk(traceId, new HashChain(traceId), 0, o.eventsPerChunk(), r))
                    .toString().getBytes(StandardCharsets.UTF_8));
        }
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long end = System.nanoTime() + o.rawSeconds() * 1_000_000_000L;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                int i = (int) (sent % records.size());
                producer.send(new ProducerRecord<>("prt.bench-raw", ("raw-" + i).getBytes(), records.get(i)));
                sent++;
            }
            producer.flush();
            return sent * (double) o.eventsPerChunk() / ((System.nanoTime() - start) / 1e9);
        }
    }

    static final class Bench {
        final String gateway;
        final String researcher;
        final String jdbc;
        final Options o;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>(); // {sendSecond, latencyNanos, events}
        final ConcurrentLinkedQueue<Long> visible = new ConcurrentLinkedQueue<>(); // latency nanos per event batch
        final ConcurrentHashMap<String, Long> pendingVisible = new ConcurrentHashMap<>(); // "trace|seq" -> scheduled nanos
        final ConcurrentHashMap<String, Integer> pendingEvents = new ConcurrentHashMap<>();
        final Map<Integer, AtomicLong> errors = new ConcurrentHashMap<>();
        /** Events acknowledged and events seen in PostgreSQL, by the second (since the start) it happened in. */
        final AtomicLongArray ackedBySecond = new AtomicLongArray(3600);
        final AtomicLongArray visibleBySecond = new AtomicLongArray(3600);
        final AtomicLongArray perSecondEvents = new AtomicLongArray(3600);
        final AtomicLongArray perSecondP99 = new AtomicLongArray(3600);
        final List<List<Long>> perSecondLatencies = Collections.synchronizedList(new ArrayList<>());
        volatile boolean running = true;
        long startNanos;
        long windowEndNanos;

        Bench(String gateway, String researcher, String jdbc, Options o) {
            this.gateway = gateway;
            this.researcher = researcher;
            this.jdbc = jdbc;
            this.o = o;
            for (int i = 0; i < 3600; i++) {
                perSecondLatencies.add(Collections.synchronizedList(new ArrayList<>()));
            }
        }

        void run() throws Exception {
            Thread poller = new Thread(this::pollVisibility, "visibility-poller");
            poller.setDaemon(true);
            CountDownLatch done = new CountDownLatch(o.recorders());
            startNanos = System.nanoTime();
            windowEndNanos = startNanos + o.seconds() * 1_000_000_000L;
            poller.start();
            for (int i = 0; i < o.recorders(); i++) {
                int id = i;
                Thread t = new Thread(() -> {
                    try {
                        recorder(id);
                    } catch (Exception e) {
                        errors.computeIfAbsent(-1, k -> new AtomicLong()).incrementAndGet();
                    } finally {
                        done.countDown();
                    }
                }, "recorder-" + i);
                t.start();
            }
            done.await();
            long drainUntil = System.nanoTime() + 30_000_000_000L;
            while (!pendingVisible.isEmpty() && System.nanoTime() < drainUntil) {
                Thread.sleep(100);
            }
            running = false;
        }

        /** A trace built before the run: its id (the recorder's own, as a real recorder may choose), chunk bodies and completion. */
        record Pregenerated(String traceId, List<byte[]> chunks, List<String> heads, List<Long> lastSeqs) {
            /** The completion after the first {@code n} chunks: what a recorder stopping there would send. */
            String completeAfter(int n) {
                return StrictJson.mapper().createObjectNode().put("final_seq", lastSeqs.get(n - 1))
                        .put("chain_head", heads.get(n - 1)).toString();
            }
        }

        final ConcurrentLinkedQueue<Pregenerated> pregenerated = new ConcurrentLinkedQueue<>();
        final AtomicLong builtDuringRun = new AtomicLong();

        /** Builds and hashes traces up front, on every core, so during the run the recorders only send. */
        void pregenerate() {
            int traces = (int) Math.min(Integer.MAX_VALUE, o.pregenerateEvents() / Math.max(1, o.eventsPerTrace()));
            String run = Long.toString(System.currentTimeMillis(), 36);
            java.util.stream.IntStream.range(0, traces).parallel().forEach(i -> {
                String traceId = "bench-" + run + "-" + i;
                HashChain chain = new HashChain(traceId);
                SplittableRandom random = new SplittableRandom(i);
                List<byte[]> chunks = new ArrayList<>();
                List<String> heads = new ArrayList<>();
                List<Long> lastSeqs = new ArrayList<>();
                for (int seq = 0; chain.nextSeq() < o.eventsPerTrace(); seq++) {
                    chunks.add(chunk(traceId, chain, seq, o.eventsPerChunk(), random).toString().getBytes(StandardCharsets.UTF_8));
                    heads.add(chain.head());
                    lastSeqs.add(chain.nextSeq() - 1);
                }
                pregenerated.add(new Pregenerated(traceId, chunks, heads, lastSeqs));
            });
        }

        void recorder(int id) throws Exception {
            SplittableRandom random = new SplittableRandom(id);
            double chunksPerSecond = o.rate() > 0 ? o.rate() / o.recorders() / o.eventsPerChunk() : 0;
            long interval = chunksPerSecond > 0 ? (long) (1e9 / chunksPerSecond) : 0;
            long next = System.nanoTime() + (interval > 0 ? random.nextLong(interval) : 0);
            while (System.nanoTime() < windowEndNanos) {
                Pregenerated ready = pregenerated.poll();
                JsonNode created = StrictJson.parse(post(gateway + "/v1/traces", researcher,
                        createBody(id, ready == null ? null : ready.traceId()), null).body());
                String traceId = created.get("trace_id").asText();
                String token = created.get("upload_token").asText();
                HashChain chain = ready == null ? new HashChain(traceId) : null;
                if (ready == null) {
                    builtDuringRun.incrementAndGet();
                }
                int chunkSeq = 0;
                while ((ready != null ? chunkSeq < ready.chunks().size() : chain.nextSeq() < o.eventsPerTrace())
                        && System.nanoTime() < windowEndNanos) {
                    String body = ready != null ? new String(ready.chunks().get(chunkSeq), StandardCharsets.UTF_8)
                            : chunk(traceId, chain, chunkSeq, o.eventsPerChunk(), random).toString();
                    if (interval > 0) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                    long scheduled = interval > 0 ? next : System.nanoTime();
                    String key = traceId + "|" + chunkSeq;
                    pendingVisible.put(key, scheduled);
                    pendingEvents.put(key, o.eventsPerChunk());
                    HttpResponse<String> r = post(gateway + "/v1/traces/" + traceId + "/events:ingest", token, body, key);
                    long now = System.nanoTime();
                    if (r.statusCode() == 202) {
                        int second = (int) ((scheduled - startNanos) / 1_000_000_000L);
                        acks.add(new long[] {second, now - scheduled, o.eventsPerChunk()});
                        int ackSecond = (int) ((now - startNanos) / 1_000_000_000L);
                        if (ackSecond >= 0 && ackSecond < 3600) {
                            ackedBySecond.addAndGet(ackSecond, o.eventsPerChunk());
                        }
                        if (second >= 0 && second < 3600) {
                            perSecondEvents.addAndGet(second, o.eventsPerChunk());
                            perSecondLatencies.get(second).add(now - scheduled);
                        }
                    } else {
                        pendingVisible.remove(key);
                        errors.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
                    }
                    chunkSeq++;
                    next += interval;
                }
                if (chunkSeq == 0) {
                    continue;
                }
                // a trace the window cut short completes where it stopped, as before
                String complete = ready != null ? ready.completeAfter(chunkSeq) : StrictJson.mapper().createObjectNode()
                        .put("final_seq", chain.nextSeq() - 1).put("chain_head", chain.head()).toString();
                post(gateway + "/v1/traces/" + traceId + "/complete", token, complete, null);
            }
        }

        void pollVisibility() {
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", "postgres");
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT trace_id, chunk_seq FROM trace_event_chunks WHERE trace_id = ANY (?)")) {
                while (running) {
                    Thread.sleep(50);
                    if (pendingVisible.isEmpty()) {
                        continue;
                    }
                    List<String> traces = pendingVisible.keySet().stream().map(k -> k.substring(0, k.indexOf('|')))
                            .distinct().toList();
                    Array arr = c.createArrayOf("text", traces.toArray());
                    ps.setArray(1, arr);
                    long now = System.nanoTime();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String key = rs.getString(1) + "|" + rs.getLong(2);
                            Long scheduled = pendingVisible.remove(key);
                            if (scheduled != null) {
                                visible.add(now - scheduled);
                                Integer n = pendingEvents.remove(key);
                                int second = (int) ((now - startNanos) / 1_000_000_000L);
                                if (second >= 0 && second < 3600 && n != null) {
                                    visibleBySecond.addAndGet(second, n);
                                }
                            }
                        }
                    }
                }
            } catch (Exception e) {
                System.err.println("prt bench: visibility poller: " + e);
            }
        }

        void report(ObjectNode report, double raw) {
            List<long[]> inWindow = acks.stream().filter(x -> x[0] >= 0 && x[0] < o.seconds()).toList();
            long events = inWindow.stream().mapToLong(x -> x[2]).sum();
            double accepted = events / (double) o.seconds();
            // end to end: what became visible in PostgreSQL during the run, over the run
            long visibleInWindow = 0;
            long ackedInWindow = 0;
            long backlogMiddle = 0;
            for (int sec = 0; sec < o.seconds(); sec++) {
                visibleInWindow += visibleBySecond.get(sec);
                ackedInWindow += ackedBySecond.get(sec);
                if (sec == o.seconds() / 2 - 1) {
                    backlogMiddle = ackedInWindow - visibleInWindow;
                }
            }
            double visibleRate = visibleInWindow / (double) o.seconds();
            ObjectNode r = report.putObject("pipeline");
            r.put("visible_in_postgres_events_per_s", Math.round(visibleRate));
            r.put("ratio_to_raw_kafka", Math.round(visibleRate / raw * 1000) / 1000.0);
            ObjectNode backlog = r.putObject("backlog_events");
            backlog.put("at_middle", Math.max(0, backlogMiddle));
            backlog.put("at_end", Math.max(0, ackedInWindow - visibleInWindow));
            // steady: the backlog at the end is about what it was half-way (what is in flight), not a quarter more
            backlog.put("growing", ackedInWindow - visibleInWindow
                    > backlogMiddle + Math.max(backlogMiddle / 4, (long) o.eventsPerChunk() * o.recorders()));
            r.put("accepted_events_per_s", Math.round(accepted));
            r.put("traces_built_during_run", builtDuringRun.get());
            r.put("chunks_acked", inWindow.size());
            r.set("chunk_ack_ms", percentiles(inWindow.stream().map(x -> x[1]).toList()));
            r.set("event_visible_ms", percentiles(new ArrayList<>(visible)));
            ObjectNode err = r.putObject("errors");
            errors.forEach((k, v) -> err.put(k == -1 ? "client" : String.valueOf(k), v.get()));
            ObjectNode retries = r.putObject("retried");
            retried.forEach((k, v) -> retries.put(k == -1 ? "no answer" : String.valueOf(k), v.get()));
            r.put("not_visible_after_drain", pendingVisible.size());
        }

        static ObjectNode percentiles(List<Long> nanos) {
            ObjectNode p = StrictJson.mapper().createObjectNode();
            if (nanos.isEmpty()) {
                return p;
            }
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            p.put("p50", sorted.get(sorted.size() / 2) / 1e6);
            p.put("p99", sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6);
            p.put("max", sorted.get(sorted.size() - 1) / 1e6);
            p.put("count", sorted.size());
            return p;
        }

        void chart(Path png, double raw) throws Exception {
            int w = 900;
            int h = 420;
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int left = 70;
            int right = w - 70;
            int top = 40;
            int bottom = h - 50;
            double maxEvents = Math.max(raw, 1);
            long maxP99 = 1;
            double[] p99 = new double[o.seconds()];
            for (int s = 0; s < o.seconds(); s++) {
                List<Long> l = new ArrayList<>(perSecondLatencies.get(s));
                if (!l.isEmpty()) {
                    Collections.sort(l);
                    p99[s] = l.get(Math.min(l.size() - 1, (int) (l.size() * 0.99))) / 1e6;
                    maxP99 = Math.max(maxP99, (long) p99[s]);
                }
                maxEvents = Math.max(maxEvents, Math.max(perSecondEvents.get(s), visibleBySecond.get(s)));
            }
            g.setColor(Color.BLACK);
            g.drawLine(left, bottom, right, bottom);
            g.drawLine(left, top, left, bottom);
            g.drawLine(right, top, right, bottom);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("visible in PostgreSQL ev/s (green), accepted ev/s (blue), raw Kafka (grey dashed), ack p99 ms (red) — "
                    + o.recorders() + " recorders, " + (o.rate() > 0 ? "target " + (long) o.rate() + " ev/s" : "max rate"), left, 25);
            g.drawString(String.format("%.0f", maxEvents), 5, top + 5);
            g.drawString("0", left - 15, bottom);
            g.drawString(maxP99 + " ms", right + 5, top + 5);
            g.drawString("seconds", (left + right) / 2, h - 15);
            double xs = (right - left) / (double) Math.max(1, o.seconds() - 1);
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_BEVEL, 0, new float[] {6, 6}, 0));
            int yr = bottom - (int) ((bottom - top) * raw / maxEvents);
            g.drawLine(left, yr, right, yr);
            g.setStroke(new BasicStroke(2));
            for (int s = 1; s < o.seconds(); s++) {
                g.setColor(new Color(30, 90, 200));
                g.drawLine(left + (int) ((s - 1) * xs), bottom - (int) ((bottom - top) * perSecondEvents.get(s - 1) / maxEvents),
                        left + (int) (s * xs), bottom - (int) ((bottom - top) * perSecondEvents.get(s) / maxEvents));
                g.setColor(new Color(20, 150, 60));
                g.drawLine(left + (int) ((s - 1) * xs), bottom - (int) ((bottom - top) * visibleBySecond.get(s - 1) / maxEvents),
                        left + (int) (s * xs), bottom - (int) ((bottom - top) * visibleBySecond.get(s) / maxEvents));
                g.setColor(new Color(200, 40, 40));
                g.drawLine(left + (int) ((s - 1) * xs), bottom - (int) ((bottom - top) * p99[s - 1] / maxP99),
                        left + (int) (s * xs), bottom - (int) ((bottom - top) * p99[s] / maxP99));
            }
            g.dispose();
            ImageIO.write(img, "png", png.toFile());
        }

        static String createBody(int recorder, String traceId) {
            return "{" + (traceId == null ? "" : "\"trace_id\":\"" + traceId + "\",")
                    + "\"participant_id\":\"bench-" + recorder + "\",\"task_id\":\"bench\",\"task_title\":\"load\","
                    + "\"repo_origin\":\"bench\",\"start_commit\":\"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\","
                    + "\"consent\":{\"granted\":true}}";
        }

        /** A chunk of realistic events (~400 bytes each: commands, edits, notes, test runs), chained. */
        static ObjectNode chunk(String traceId, HashChain chain, int chunkSeq, int n, SplittableRandom r) {
            ObjectNode chunk = StrictJson.mapper().createObjectNode().put("chunk_id", traceId + "-" + chunkSeq)
                    .put("chunk_seq", chunkSeq);
            ArrayNode events = chunk.putArray("events");
            for (int i = 0; i < n; i++) {
                long seq = chain.nextSeq();
                ObjectNode e = StrictJson.mapper().createObjectNode();
                e.put("id", "ev-" + seq);
                e.put("ts_client_s", 1.764e9 + seq * 1.5 + r.nextInt(1000) / 1000.0);
                ObjectNode p;
                switch ((int) (seq % 4)) {
                    case 0 -> {
                        e.put("type", "cmd_run");
                        p = e.putObject("payload");
                        p.put("command", "python -m pytest tests/test_module_" + r.nextInt(50) + ".py -q -x");
                        p.put("cwd", ".");
                        p.put("exit_code", r.nextInt(3) == 0 ? 1 : 0);
                        p.put("duration_s", r.nextInt(50_000) / 1000.0);
                        p.put("output_excerpt", "...F..\nFAILED tests/test_module.py::test_case_" + r.nextInt(100)
                                + " - AssertionError: assert 41 == 42\n1 failed, 5 passed in 0.42s\n");
                    }
                    case 1 -> {
                        e.put("type", "file_edit");
                        p = e.putObject("payload");
                        p.put("path", "src/pkg/module_" + r.nextInt(30) + ".py");
                        p.put("diff", "--- a/src/pkg/m.py\n+++ b/src/pkg/m.py\n@@ -10,3 +10,3 @@\n def f(x):\n-    return x + 1\n+    return x + "
                                + r.nextInt(9) + "\n");
                        p.put("before_sha256", "ab".repeat(32));
                        p.put("after_sha256", "cd".repeat(32));
                        p.put("lines_added", 1);
                        p.put("lines_removed", 1);
                    }
                    case 2 -> {
                        e.put("type", "rationale_note");
                        p = e.putObject("payload");
                        p.put("kind", "observation");
                        p.put("text", "The failing case passes an empty list; the function indexes [0] before checking length. "
                                + r.nextInt(1000));
                        p.putArray("refs").add("ev-" + (seq - 2));
                    }
                    default -> {
                        e.put("type", "test_run");
                        p = e.putObject("payload");
                        p.put("framework", "pytest");
                        p.put("command", "python -m pytest -q");
                        p.put("exit_code", 0);
                        p.putObject("summary").put("total", 6).put("passed", 6).put("failed", 0).put("errors", 0).put("skipped", 0);
                    }
                }
                events.add(chain.append(e));
            }
            return chunk;
        }

        /** Retries by status (-1: no answer), as the real recorder retries: 429, 5xx, a lost connection. */
        final Map<Integer, AtomicLong> retried = new ConcurrentHashMap<>();

        /** A POST as the recorder sends it: retried on 429, 5xx or no answer for up to a minute; latency includes the retries. */
        HttpResponse<String> post(String url, String token, String body, String idempotencyKey) throws Exception {
            return DemoMain.postRetrying(http, url, token, body, idempotencyKey, Duration.ofMinutes(1),
                    status -> retried.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet());
        }
    }

    private static String value(List<String> args, String name, String def) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : def;
    }
}
