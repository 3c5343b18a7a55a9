package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.stream.TraceRecords;
import dev.prtelemetry.schemas.stream.Topics;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.prtelemetry.schemas.model.ArtifactRef;
import dev.prtelemetry.schemas.stream.DocumentLocation;
import javax.sql.DataSource;

/**
 * Deleting traces everywhere they live, for two reasons: a participant's erasure request
 * ({@link #erase}) and the end of a trace's retention ({@link #sweepExpired}). One path for both:
 * every row of the traces in PostgreSQL (consent record, trace row, event chunks, QA verifications
 * and judgements) in one transaction, with an audit record and the trace ids on the erasure list
 * (a trigger refuses any later row of a listed trace, whoever writes it); then their documents in
 * S3 and every artifact no remaining trace references; then, on Kafka, an erase record on the raw
 * topic (the assembly drops what it still holds of the trace) and a tombstone on the compacted
 * assembled-traces topic. The gateway refuses anything more for an erased trace (410).
 */
@Singleton
public class Erasures {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Erasures.class);
    private static final Pattern ARTIFACT = ArtifactRef.PATTERN;
    private static final long CACHE_MS = 5_000;
    /** Only one gateway replica sweeps at a time (PostgreSQL advisory lock key). */
    private static final long SWEEP_LOCK = 0x7072745f72657431L;
    private static final int SWEEP_BATCH = 1000;

    private final DataSource dataSource;
    private final ArtifactStore store;
    private final TraceRecordsProducer producer;
    private final PrivacyConfig privacy;
    private volatile Set<String> recent = Set.of();
    private volatile long loadedAt;

    public Erasures(DataSource dataSource, ArtifactStore store, TraceRecordsProducer producer, PrivacyConfig privacy) {
        this.dataSource = dataSource;
        this.store = store;
        this.producer = producer;
        this.privacy = privacy;
    }

    /**
     * Whether a trace erased recently enough for an upload token of it to be alive is on the erasure
     * list (kept in memory, reloaded every few seconds, exact right after an erasure here): the
     * check on every chunk, which must not cost a query.
     */
    public boolean isRecentlyErased(String traceId) throws SQLException {
        if (System.currentTimeMillis() - loadedAt > CACHE_MS) {
            Set<String> ids = ConcurrentHashMap.newKeySet();
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT trace_id FROM erased_traces WHERE erased_at > ?")) {
                ps.setTimestamp(1, Timestamp.from(Instant.now().minus(privacy.uploadTokenTtl()).minusSeconds(600)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            recent = ids;
            loadedAt = System.currentTimeMillis();
        }
        return recent.contains(traceId);
    }

    /** Why a trace is on the erasure list ({@code participant-request} or {@code retention}), or null when it is not. */
    public String erasedReason(String traceId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT reason FROM erased_traces WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Erases every trace of a participant: those with a consent record and those only the assembly has written. */
    public ObjectNode erase(String participantId, String requestedBy) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT trace_id FROM trace_consents WHERE participant_id = ?"
                     + " UNION SELECT trace_id FROM traces WHERE participant_id = ? ORDER BY 1")) {
            ps.setString(1, participantId);
            ps.setString(2, participantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        ObjectNode out = eraseTraces(ids, participantId, requestedBy, "participant-request");
        out.put("participant_id", participantId);
        eraseParticipantMetrics(participantId, out);
        return out;
    }

    /**
     * The metrics windows kept under the participant's id: deleted, and tombstoned on the compacted
     * {@code prt.metrics} topic. Counts in the overall, task and repository windows stay: they name
     * no one.
     */
    private void eraseParticipantMetrics(String participantId, ObjectNode out) throws SQLException {
        List<String> windowIds = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM metric_windows WHERE dimension = 'participant' AND key = ?"
                     + " RETURNING window_size, window_start")) {
            ps.setString(1, participantId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    windowIds.add(rs.getString(1) + "|participant|" + participantId + "|" + rs.getTimestamp(2).toInstant());
                }
            }
        }
        List<java.util.concurrent.CompletableFuture<Void>> sent = new ArrayList<>();
        windowIds.forEach(id -> sent.add(producer.tombstone(Topics.METRICS, id)));
        int failed = 0;
        for (var f : sent) {
            try {
                f.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                failed++;
            }
        }
        out.put("metric_windows_erased", windowIds.size());
        if (failed > 0) {
            LOG.warn("{} metrics tombstones for an erased participant were not acknowledged by Kafka", failed);
            out.put("metric_tombstone_failures", failed);
        }
    }

    /**
     * The retention sweep: deletes every trace whose {@code retain_until} has passed (traces from
     * before consent records: {@code created_at} + the retention). One replica at a time; returns
     * null when another is sweeping.
     */
    public ObjectNode sweepExpired(Instant now, String requestedBy) throws SQLException {
        try (Connection lock = dataSource.getConnection()) {
            try (PreparedStatement ps = lock.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, SWEEP_LOCK);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return null;
                    }
                }
            }
            try {
                // in batches of SWEEP_BATCH traces, one audit record each, until nothing expired is left
                ObjectNode total = StrictJson.mapper().createObjectNode();
                total.put("reason", "retention");
                ArrayNode erasureIds = total.putArray("erasure_ids");
                ObjectNode counts = total.putObject("counts");
                int erased = 0;
                while (true) {
                    List<String> ids = new ArrayList<>();
                    try (PreparedStatement ps = lock.prepareStatement("""
                            SELECT trace_id FROM trace_consents WHERE retain_until <= ?
                            UNION
                            SELECT t.trace_id FROM traces t WHERE t.created_at <= ?
                              AND NOT EXISTS (SELECT 1 FROM trace_consents c WHERE c.trace_id = t.trace_id)
                            ORDER BY 1 LIMIT ?""")) {
                        ps.setTimestamp(1, Timestamp.from(now));
                        ps.setTimestamp(2, Timestamp.from(now.minus(privacy.retention())));
                        ps.setInt(3, SWEEP_BATCH);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                ids.add(rs.getString(1));
                            }
                        }
                    }
                    if (ids.isEmpty()) {
                        break;
                    }
                    ObjectNode batch = eraseTraces(ids, null, requestedBy, "retention");
                    erased += ids.size();
                    erasureIds.add(batch.get("erasure_id"));
                    batch.get("counts").properties().forEach(e -> counts.put(e.getKey(), counts.path(e.getKey()).asLong() + e.getValue().asLong()));
                    if (ids.size() < SWEEP_BATCH) {
                        break;
                    }
                }
                total.put("traces_erased", erased);
                return total;
            } finally {
                try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    ps.setLong(1, SWEEP_LOCK);
                    ps.execute();
                }
            }
        }
    }

    private ObjectNode eraseTraces(List<String> traces, String participantId, String requestedBy, String reason)
            throws SQLException {
        Set<String> documents = new TreeSet<>();
        Set<String> artifacts = new TreeSet<>();
        ObjectNode counts = StrictJson.mapper().createObjectNode();
        long erasureId;
        ArrayNode exports;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // with exports' registration (Export): an export either sees this erasure or is listed by it
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(" + EXPORTS_LOCK + ")")) {
                    ps.execute();
                }
                var ids = c.createArrayOf("text", traces.toArray());
                try (PreparedStatement ps = c.prepareStatement("SELECT trace_id, document_uri, header::text, created_at FROM traces"
                        + " WHERE trace_id = ANY (?) FOR UPDATE")) {
                    ps.setArray(1, ids);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getString(2) != null) {
                                documents.add(rs.getString(2));
                            }
                            collect(rs.getString(3), artifacts);
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT trace_id, created_at FROM trace_consents WHERE trace_id = ANY (?)")) {
                    ps.setArray(1, ids);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            // the gateway's creation time names the document's day (DocumentLocation): exact, written or not
                            documents.add(DocumentLocation.of("s3://" + store.bucket(), rs.getString(1),
                                    rs.getTimestamp(2).toInstant()));
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT events::text FROM trace_event_chunks WHERE trace_id = ANY (?)")) {
                    ps.setArray(1, ids);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            collect(rs.getString(1), artifacts);
                        }
                    }
                }
                for (String table : List.of("trace_event_chunks", "qa_validations", "qa_judgements", "traces", "trace_consents",
                        "idempotency_keys")) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE trace_id = ANY (?)")) {
                        ps.setArray(1, ids);
                        counts.put(table + "_rows", ps.executeUpdate());
                    }
                }
                ArrayNode list = StrictJson.mapper().createArrayNode();
                traces.forEach(list::add);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO erasures (participant_id, requested_by, requested_at,"
                        + " traces, counts, reason) VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?) RETURNING id")) {
                    ps.setString(1, participantId);
                    ps.setString(2, requestedBy);
                    ps.setTimestamp(3, Timestamp.from(Instant.now()));
                    ps.setString(4, list.toString());
                    ps.setString(5, counts.toString());
                    ps.setString(6, reason);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        erasureId = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO erased_traces (trace_id, participant_id, erased_at,"
                        + " erasure_id, reason) VALUES (?, ?, now(), ?, ?) ON CONFLICT (trace_id) DO NOTHING")) {
                    for (String t : traces) {
                        ps.setString(1, t);
                        ps.setString(2, participantId);
                        ps.setLong(3, erasureId);
                        ps.setString(4, reason);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                exports = exportsHolding(c, ids);
                try (PreparedStatement ps = c.prepareStatement("UPDATE erasures SET exports = ?::jsonb WHERE id = ?")) {
                    ps.setString(1, exports.toString());
                    ps.setLong(2, erasureId);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            loadedAt = 0; // the erasure list changed: reload on the next check
            // the objects go after the rows: a failure here leaves orphans in S3, never rows pointing at nothing
            int docs = 0;
            for (String uri : documents) {
                docs += store.deleteDocument(uri) ? 1 : 0;
            }
            int removed = 0;
            Set<String> cited = stillCited(c, artifacts);
            for (String sha : artifacts) {
                if (!cited.contains(sha) && store.deleteArtifact(sha)) {
                    removed++;
                }
            }
            counts.put("documents", docs);
            counts.put("artifacts", removed);
            counts.put("artifacts_kept_shared", artifacts.size() - removed);
            int[] kafka = kafka(traces, "participant-request".equals(reason) ? participantId : null, reason, erasureId);
            counts.put("erase_records", kafka[0]);
            counts.put("tombstones", kafka[1]);
            if (kafka[2] > 0) {
                counts.put("kafka_failures", kafka[2]);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE erasures SET counts = ?::jsonb WHERE id = ?")) {
                ps.setString(1, counts.toString());
                ps.setLong(2, erasureId);
                ps.executeUpdate();
            }
            c.commit();
        }
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.put("reason", reason);
        out.put("erasure_id", erasureId);
        out.put("traces_erased", traces.size());
        out.set("counts", counts);
        out.set("exports_holding", exports);
        return out;
    }

    /** The advisory lock an erasure and an export's registration take (Export.EXPORTS_LOCK). */
    static final long EXPORTS_LOCK = 0x7072745f657870L;

    /**
     * The exports made before now that held any of these traces (from their manifests, as
     * registered): what the operator must withdraw.
     */
    private static ArrayNode exportsHolding(Connection c, java.sql.Array ids) throws SQLException {
        ArrayNode out = StrictJson.mapper().createArrayNode();
        try (PreparedStatement ps = c.prepareStatement("SELECT e.id, e.created_at, e.location, e.format, e.manifest_sha256,"
                + " array_agg(t.trace_id ORDER BY t.trace_id) FROM export_traces t JOIN exports e ON e.id = t.export_id"
                + " WHERE t.trace_id = ANY (?) GROUP BY e.id ORDER BY e.id")) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode e = out.addObject();
                    e.put("export_id", rs.getLong(1));
                    e.put("created_at", rs.getTimestamp(2).toInstant().toString());
                    e.put("location", rs.getString(3));
                    e.put("format", rs.getString(4));
                    e.put("manifest_sha256", rs.getString(5));
                    ArrayNode t = e.putArray("traces");
                    for (String id : (String[]) rs.getArray(6).getArray()) {
                        t.add(id);
                    }
                }
            }
        }
        return out;
    }

    /** Erase records for the assembly, tombstones for the compacted topic; {sent erase records, sent tombstones, failures}. */
    private int[] kafka(List<String> traces, String participantId, String reason, long erasureId) {
        List<java.util.concurrent.CompletableFuture<Void>> erase = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<Void>> tomb = new ArrayList<>();
        double now = System.currentTimeMillis() / 1000.0;
        for (String t : traces) {
            erase.add(producer.send(t, TraceRecords.erase(t, now, reason, erasureId, participantId).toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), TraceRecords.ERASE, null, null));
            tomb.add(producer.tombstone(Topics.TRACES_ASSEMBLED, t));
        }
        int[] out = new int[3];
        for (var f : erase) {
            out[joined(f) ? 0 : 2]++;
        }
        for (var f : tomb) {
            out[joined(f) ? 1 : 2]++;
        }
        return out;
    }

    private static boolean joined(java.util.concurrent.CompletableFuture<Void> f) {
        try {
            f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            // the rows are gone and listed (the trigger and the document writer honour the list); the
            // topic keeps the records until its retention ends
            LOG.warn("an erase record or tombstone was not acknowledged by Kafka: {}", e.toString());
            return false;
        }
    }

    /** Which of {@code shas} a remaining trace still cites (event chunks, headers): one pass over the rows. */
    private static Set<String> stillCited(Connection c, Set<String> shas) throws SQLException {
        Set<String> cited = new TreeSet<>();
        if (shas.isEmpty()) {
            return cited;
        }
        var wanted = c.createArrayOf("text", shas.toArray());
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT m[1] FROM trace_event_chunks,
                    LATERAL regexp_matches(events, ?, 'g') AS m WHERE m[1] = ANY (?)
                UNION
                SELECT DISTINCT m[1] FROM traces,
                    LATERAL regexp_matches(header::text, ?, 'g') AS m WHERE m[1] = ANY (?)""")) {
            ps.setString(1, ArtifactRef.PATTERN.pattern()); // the same pattern in Java and SQL (POSIX ERE reads it alike)
            ps.setArray(2, wanted);
            ps.setString(3, ArtifactRef.PATTERN.pattern());
            ps.setArray(4, wanted);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cited.add(rs.getString(1));
                }
            }
        }
        return cited;
    }

    private static void collect(String text, Set<String> into) {
        if (text == null) {
            return;
        }
        Matcher m = ARTIFACT.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}
