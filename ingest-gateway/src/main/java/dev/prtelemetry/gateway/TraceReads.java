package dev.prtelemetry.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads of what the pipeline stored: the trace row the assembly wrote, its consent record, its
 * QA results, its events (from the chunk rows) and its document (from the document store). The
 * views are the stored JSON composed as DESIGN.md's read API describes; a missing trace is a 404
 * {@link Problem}, a database failure a 503 one.
 */
@Singleton
public class TraceReads {
    private final DataSource dataSource;
    private final ArtifactStore store;

    public TraceReads(DataSource dataSource, ArtifactStore store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    /** The trace row with its consent and QA (what the console shows of a trace). */
    public String traceView(String traceId) {
        try {
            return trace(traceId).orElseThrow(() -> notYet(traceId)).toString();
        } catch (SQLException e) {
            throw Problem.database(e);
        }
    }

    private static Problem notYet(String traceId) {
        return Problem.notFound("no trace " + traceId + " (yet: a new trace appears within seconds of its creation)");
    }

    /**
     * {@code GET /v1/traces/{id}}: the trace row with its consent and QA, and the trace document's members
     * (the seed's top-level keys: {@code trace_version, session, task, repo, environment, events, artifacts},
     * integrity with its chain) — from the document's skeleton once the trace has ended, from its header
     * while it is open — with the events received so far ({@code events=false} leaves them out). All from
     * PostgreSQL, as the document is rebuilt for re-scoring.
     */
    public String fullView(String traceId, boolean withEvents) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT skeleton, header::text FROM traces WHERE trace_id = ?")) {
            ObjectNode view = trace(traceId).orElseThrow(() -> notYet(traceId));
            ps.setString(1, traceId);
            String skeleton;
            String header;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                skeleton = rs.getString(1);
                header = rs.getString(2);
            }
            ObjectNode doc = skeleton != null ? (ObjectNode) StrictJson.parseAccepted(skeleton) : fromHeader(view, header);
            ObjectNode out = StrictJson.mapper().createObjectNode();
            out.put("trace_version", doc.path("trace_version").asText("1"));
            out.put("trace_id", traceId);
            for (String member : new String[] {"session", "task", "repo"}) {
                if (doc.has(member)) {
                    out.set(member, doc.get(member));
                }
            }
            // always there, as in the replaced system's GET (its null is an empty object here: nothing was said)
            out.set("environment", doc.has("environment") ? doc.get("environment") : StrictJson.mapper().createObjectNode());
            if (withEvents) {
                out.set("events", events(traceId, 0, Integer.MAX_VALUE - 1).get("events"));
            }
            out.set("artifacts", doc.has("artifacts") ? doc.get("artifacts") : StrictJson.mapper().createArrayNode());
            ObjectNode integrity = (ObjectNode) view.get("integrity");
            doc.path("integrity").fields().forEachRemaining(f -> {
                if (!integrity.has(f.getKey())) {
                    integrity.set(f.getKey(), f.getValue()); // chain, completion
                }
            });
            if (skeleton == null) {
                String chain = openTraceChain(c, traceId); // while open: who chains it, from its first applied chunk
                if (chain != null) {
                    integrity.put("chain", chain);
                }
            }
            view.fields().forEachRemaining(f -> {
                if (!out.has(f.getKey())) {
                    out.set(f.getKey(), f.getValue());
                }
            });
            return out.toString();
        } catch (SQLException e) {
            throw Problem.database(e);
        }
    }

    /** {@code server} when the trace's first applied event was translated from format v0, {@code client} otherwise; null before any. */
    private static String openTraceChain(Connection c, String traceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT (events::jsonb -> 0 -> 'v0_event') IS NOT NULL FROM trace_event_chunks"
                + " WHERE trace_id = ? ORDER BY chunk_seq LIMIT 1")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? (rs.getBoolean(1) ? "server" : "client") : null;
            }
        }
    }

    /** What an open trace's document will say of its session, task and repository, from its header. */
    private static ObjectNode fromHeader(ObjectNode view, String headerText) {
        ObjectNode doc = StrictJson.mapper().createObjectNode();
        JsonNode h = headerText == null ? StrictJson.mapper().createObjectNode() : StrictJson.parseAccepted(headerText);
        ObjectNode session = doc.putObject("session");
        session.put("participant_id", view.path("participant_id").asText());
        session.put("state", "open");
        for (String m : new String[] {"started_at", "consent", "retain_until"}) {
            if (h.has(m)) {
                session.set(m, h.get(m));
            }
        }
        ObjectNode task = doc.putObject("task");
        task.set("id", h.path("task_id"));
        task.set("title", h.path("task_title"));
        if (h.has("task_description")) {
            task.set("description", h.get("task_description"));
        }
        ObjectNode repo = doc.putObject("repo");
        repo.set("origin", h.path("repo_origin"));
        repo.set("start_commit", h.path("start_commit"));
        if (h.has("start_commit_abbreviated")) {
            repo.set("start_commit_abbreviated", h.get("start_commit_abbreviated"));
        }
        if (h.has("environment")) {
            doc.set("environment", h.get("environment"));
        }
        return doc;
    }

    /** The assembled document's bytes as stored, once the trace has ended. */
    public byte[] document(String traceId) {
        String uri;
        String state;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state, document_uri FROM traces WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw Problem.notFound("no trace " + traceId);
                }
                state = rs.getString(1);
                uri = rs.getString(2);
            }
        } catch (SQLException e) {
            throw Problem.database(e);
        }
        if (uri == null || uri.isEmpty()) {
            throw Problem.notFound("trace " + traceId + " is " + state + "; its document is written when it ends");
        }
        return store.readDocument(uri).orElseThrow(() -> Problem.notFound("the document of trace " + traceId
                + " is not in this gateway's store (" + uri + ")"));
    }

    /** {@code GET /v1/traces/{id}/events}: a page of events in seq order. */
    public String eventsPage(String traceId, long fromSeq, int limit) {
        if (limit < 1 || limit > 1000 || fromSeq < 0) {
            throw Problem.badRequest("bad-page", "limit is 1..1000 and from_seq ≥ 0");
        }
        try {
            if (participantOf(traceId).isEmpty()) {
                throw Problem.notFound("no trace " + traceId);
            }
            ObjectNode page = events(traceId, fromSeq, limit);
            page.put("trace_id", traceId);
            return page.toString();
        } catch (SQLException e) {
            throw Problem.database(e);
        }
    }

    /** {@code GET /v1/traces}: newest first, keyset-paged. */
    public String listPage(Filter filter, String cursor, int limit) {
        if (limit < 1 || limit > 500) {
            throw Problem.badRequest("bad-page", "limit is 1..500");
        }
        try {
            return list(filter, cursor, limit).toString();
        } catch (SQLException e) {
            throw Problem.database(e);
        }
    }

    /** The participant of an assembled trace (the trace row exists), if any. */
    public Optional<String> participantOf(String traceId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT participant_id FROM traces WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    Optional<ObjectNode> trace(String traceId) throws SQLException {
        Optional<ObjectNode> t = traceRow(traceId);
        if (t.isPresent()) {
            consent(traceId, t.get());
            t.get().set("qa", qa(traceId));
        }
        return t;
    }

    /** The consent given for the trace and when it is deleted ({@code trace_consents}). */
    void consent(String traceId, ObjectNode into) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT scopes, text_version, granted_at, retain_until, source FROM trace_consents"
                     + " WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    ObjectNode consent = into.putObject("consent");
                    ArrayNode scopes = consent.putArray("scopes");
                    for (Object s : (Object[]) rs.getArray(1).getArray()) {
                        scopes.add(s.toString());
                    }
                    consent.put("text_version", rs.getString(2));
                    consent.put("granted_at", rs.getTimestamp(3).toInstant().toString());
                    consent.put("source", rs.getString(5));
                    into.put("retain_until", rs.getTimestamp(4).toInstant().toString());
                }
            }
        }
    }

    /** The trace's QA: sandbox verifications, newest first (results are kept side by side, never overwritten). */
    ObjectNode qa(String traceId) throws SQLException {
        ObjectNode qa = StrictJson.mapper().createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode validations = qa.putArray("validations");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT verifier, trace_digest, verdict, resolved, error, sandbox,"
                     + " tests::text, flaky::text, durations_ms::text, created_at FROM qa_validations WHERE trace_id = ?"
                     + " ORDER BY created_at DESC")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode v = validations.addObject();
                    v.put("verifier", rs.getString(1));
                    v.put("trace_digest", rs.getString(2));
                    v.put("verdict", rs.getString(3));
                    v.put("resolved", rs.getBoolean(4));
                    if (rs.getString(5) != null) {
                        v.put("error", rs.getString(5));
                    }
                    v.put("sandbox", rs.getString(6));
                    v.set("tests", StrictJson.parse(rs.getString(7)));
                    v.set("flaky", StrictJson.parse(rs.getString(8)));
                    if (rs.getString(9) != null) {
                        v.set("durations_ms", StrictJson.parse(rs.getString(9)));
                    }
                    v.put("created_at", rs.getTimestamp(10).toInstant().toString());
                }
            }
        }
        if (!validations.isEmpty()) {
            qa.set("verification", validations.get(0)); // the latest
        }
        qa.set("judgements", judgements(traceId));
        return qa;
    }

    /** Per rubric: the newest judgement of each judge, and every judgement newest first. */
    ObjectNode judgements(String traceId) throws SQLException {
        ObjectNode byRubric = StrictJson.mapper().createObjectNode();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT rubric, judge, overall, error, scores::text, trace_digest, created_at"
                     + " FROM qa_judgements WHERE trace_id = ? ORDER BY created_at DESC, judge")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode r = byRubric.has(rs.getString(1)) ? (ObjectNode) byRubric.get(rs.getString(1))
                            : byRubric.putObject(rs.getString(1));
                    ObjectNode j = StrictJson.mapper().createObjectNode();
                    j.put("judge", rs.getString(2));
                    double overall = rs.getDouble(3);
                    if (rs.wasNull()) {
                        j.putNull("overall");
                    } else {
                        j.put("overall", overall);
                    }
                    if (rs.getString(4) != null) {
                        j.put("error", rs.getString(4));
                    }
                    j.set("scores", StrictJson.parse(rs.getString(5)));
                    j.put("trace_digest", rs.getString(6));
                    j.put("created_at", rs.getTimestamp(7).toInstant().toString());
                    ObjectNode latest = r.has("latest") ? (ObjectNode) r.get("latest") : r.putObject("latest");
                    if (!latest.has(rs.getString(2))) {
                        latest.set(rs.getString(2), j);
                    }
                    (r.has("history") ? (com.fasterxml.jackson.databind.node.ArrayNode) r.get("history") : r.putArray("history")).add(j);
                }
            }
        }
        // an ensemble's view: per rubric and dimension, the mean and spread of the judges' latest scores
        byRubric.fields().forEachRemaining(e -> {
            ObjectNode latest = (ObjectNode) e.getValue().get("latest");
            if (latest == null || latest.size() < 2) {
                return;
            }
            java.util.Map<String, java.util.List<Integer>> byDim = new java.util.TreeMap<>();
            latest.forEach(j -> j.path("scores").fields().forEachRemaining(d ->
                    byDim.computeIfAbsent(d.getKey(), k -> new java.util.ArrayList<>()).add(d.getValue().path("score").asInt())));
            ObjectNode ensemble = ((ObjectNode) e.getValue()).putObject("ensemble");
            byDim.forEach((d, v) -> ensemble.putObject(d)
                    .put("mean", Math.round(v.stream().mapToInt(Integer::intValue).average().orElse(0) * 1000) / 1000.0)
                    .put("spread", v.stream().mapToInt(Integer::intValue).max().orElse(0) - v.stream().mapToInt(Integer::intValue).min().orElse(0))
                    .put("judges", v.size()));
        });
        return byRubric;
    }

    Optional<ObjectNode> traceRow(String traceId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT trace_id, participant_id, task_id, state, event_count,"
                     + " chunk_count, chain_head, merkle_root, verdict, reasons::text, metrics::text, document_uri,"
                     + " duplicates_dropped, created_at, updated_at FROM traces WHERE trace_id = ?")) {
            ps.setString(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(summary(rs, true)) : Optional.empty();
            }
        }
    }

    /** Events with seq ≥ {@code fromSeq}, at most {@code limit}, in seq order; {@code next_seq} to continue. */
    ObjectNode events(String traceId, long fromSeq, int limit) throws SQLException {
        ObjectNode page = StrictJson.mapper().createObjectNode();
        ArrayNode events = page.putArray("events");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT e.value::text FROM trace_event_chunks ch,"
                     + " jsonb_array_elements(ch.events::jsonb) e WHERE ch.trace_id = ? AND ch.last_seq >= ?"
                     + " AND (e.value->>'seq')::bigint >= ? ORDER BY (e.value->>'seq')::bigint LIMIT ?")) {
            ps.setString(1, traceId);
            ps.setLong(2, fromSeq);
            ps.setLong(3, fromSeq);
            ps.setInt(4, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(StrictJson.parse(rs.getString(1)));
                }
            }
        }
        if (events.size() > limit) {
            long next = events.get(limit).path("seq").asLong();
            events.remove(limit);
            page.put("next_seq", next);
        } else {
            page.putNull("next_seq");
        }
        return page;
    }

    /**
     * Filters for listing traces; any may be null. {@code verdict} is the newest sandbox verdict
     * ({@code resolved}, {@code not_resolved}, {@code waiting}, {@code error}, or {@code none} for a
     * trace not verified yet); {@code minScore} bounds the newest overall judge score from below.
     */
    public record Filter(String state, String participantId, String taskId, Instant from, Instant to, String verdict,
                         Double minScore) {
        public Filter(String state, String participantId, String taskId, Instant from, Instant to) {
            this(state, participantId, taskId, from, to, null, null);
        }
    }

    /** Newest first, keyset-paged: the cursor is the (created_at, trace_id) of the last row returned. */
    ObjectNode list(Filter f, String cursor, int limit) throws SQLException {
        // the newest verification verdict and overall score of each trace ride along (and filter)
        StringBuilder sql = new StringBuilder("SELECT trace_id, participant_id, task_id, state, event_count, chunk_count,"
                + " chain_head, merkle_root, verdict, reasons::text, metrics::text, document_uri, duplicates_dropped,"
                + " created_at, updated_at, v.qa_verdict, j.overall, j.rubric FROM traces t"
                + " LEFT JOIN LATERAL (SELECT q.verdict AS qa_verdict FROM qa_validations q WHERE q.trace_id = t.trace_id"
                + " ORDER BY q.created_at DESC LIMIT 1) v ON true"
                + " LEFT JOIN LATERAL (SELECT q.overall, q.rubric FROM qa_judgements q WHERE q.trace_id = t.trace_id"
                + " AND q.overall IS NOT NULL ORDER BY q.created_at DESC LIMIT 1) j ON true WHERE true");
        List<Object> args = new ArrayList<>();
        if (f.state() != null) {
            sql.append(" AND state = ?");
            args.add(f.state());
        }
        if (f.participantId() != null) {
            sql.append(" AND participant_id = ?");
            args.add(f.participantId());
        }
        if (f.taskId() != null) {
            sql.append(" AND task_id = ?");
            args.add(f.taskId());
        }
        if (f.from() != null) {
            sql.append(" AND created_at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND created_at < ?");
            args.add(Timestamp.from(f.to()));
        }
        if ("none".equals(f.verdict())) {
            sql.append(" AND v.qa_verdict IS NULL");
        } else if (f.verdict() != null) {
            sql.append(" AND v.qa_verdict = ?");
            args.add(f.verdict());
        }
        if (f.minScore() != null) {
            sql.append(" AND j.overall >= ?");
            args.add(f.minScore());
        }
        if (cursor != null) {
            String[] parts = decodeCursor(cursor);
            sql.append(" AND (created_at, trace_id) < (?, ?)");
            args.add(Timestamp.from(Instant.parse(parts[0])));
            args.add(parts[1]);
        }
        sql.append(" ORDER BY created_at DESC, trace_id DESC LIMIT ?");
        args.add(limit + 1);
        ObjectNode page = StrictJson.mapper().createObjectNode();
        ArrayNode traces = page.putArray("traces");
        String nextCursor = null;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                Instant lastCreated = null;
                String lastId = null;
                while (rs.next()) {
                    if (n == limit) {
                        nextCursor = encodeCursor(lastCreated, lastId);
                        break;
                    }
                    ObjectNode t = summary(rs, false);
                    ObjectNode qa = t.putObject("qa");
                    qa.put("verdict", rs.getString("qa_verdict"));
                    double overall = rs.getDouble("overall");
                    if (rs.wasNull()) {
                        qa.putNull("overall");
                    } else {
                        qa.put("overall", overall);
                    }
                    qa.put("rubric", rs.getString("rubric"));
                    traces.add(t);
                    lastCreated = rs.getTimestamp("created_at").toInstant();
                    lastId = rs.getString("trace_id");
                    n++;
                }
            }
        }
        if (nextCursor == null) {
            page.putNull("next_cursor");
        } else {
            page.put("next_cursor", nextCursor);
        }
        return page;
    }

    private static ObjectNode summary(ResultSet rs, boolean full) throws SQLException {
        ObjectNode t = StrictJson.mapper().createObjectNode();
        t.put("trace_id", rs.getString("trace_id"));
        t.put("state", rs.getString("state"));
        t.put("participant_id", rs.getString("participant_id"));
        t.put("task_id", rs.getString("task_id"));
        t.put("created_at", rs.getTimestamp("created_at").toInstant().toString());
        t.put("updated_at", rs.getTimestamp("updated_at").toInstant().toString());
        ObjectNode counts = t.putObject("counts");
        counts.put("events", rs.getLong("event_count"));
        counts.put("chunks", rs.getLong("chunk_count"));
        counts.put("duplicates_dropped", rs.getLong("duplicates_dropped"));
        ObjectNode integrity = t.putObject("integrity");
        integrity.put("chain_head", rs.getString("chain_head"));
        integrity.put("merkle_root", rs.getString("merkle_root"));
        integrity.put("event_count", rs.getLong("event_count"));
        integrity.put("verdict", rs.getString("verdict"));
        integrity.set("reasons", StrictJson.parse(rs.getString(10)));
        if (full) {
            JsonNode metrics = StrictJson.parse(rs.getString(11));
            t.set("metrics", metrics);
            t.put("document_uri", rs.getString("document_uri"));
        }
        return t;
    }

    private static String encodeCursor(Instant created, String id) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((created.toString() + "|" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String[] decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
            String[] parts = s.split("\\|", 2);
            Instant.parse(parts[0]);
            return parts;
        } catch (RuntimeException e) {
            throw Problem.badRequest("bad-cursor", "the cursor is not one this API returned");
        }
    }
}
