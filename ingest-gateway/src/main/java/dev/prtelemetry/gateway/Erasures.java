package dev.prtelemetry.gateway;

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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Erasing a participant: every row of their traces in PostgreSQL (traces, event chunks, QA
 * verifications and judgements) in one transaction, with an audit record and the erased trace
 * ids on the erasure list; then their trace documents in S3 and every artifact no remaining
 * trace references. The gateway refuses anything more for an erased trace (410).
 */
@Singleton
public class Erasures {
    private static final Pattern ARTIFACT = Pattern.compile("artifact://sha256/([0-9a-f]{64})");
    private static final long CACHE_MS = 5_000;

    private final DataSource dataSource;
    private final ArtifactStore store;
    private volatile Set<String> erased = Set.of();
    private volatile long loadedAt;

    public Erasures(DataSource dataSource, ArtifactStore store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    /** Whether a trace id is on the erasure list (cached for a few seconds; exact right after an erasure here). */
    public boolean isErased(String traceId) throws SQLException {
        if (System.currentTimeMillis() - loadedAt > CACHE_MS) {
            Set<String> ids = ConcurrentHashMap.newKeySet();
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT trace_id FROM erased_traces");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            erased = ids;
            loadedAt = System.currentTimeMillis();
        }
        return erased.contains(traceId);
    }

    public ObjectNode erase(String participantId, String requestedBy) throws SQLException {
        List<String> traces = new ArrayList<>();
        List<String> documents = new ArrayList<>();
        Set<String> artifacts = new TreeSet<>();
        ObjectNode counts = StrictJson.mapper().createObjectNode();
        long erasureId;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("SELECT trace_id, document_uri, header::text FROM traces"
                        + " WHERE participant_id = ? FOR UPDATE")) {
                    ps.setString(1, participantId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            traces.add(rs.getString(1));
                            if (rs.getString(2) != null) {
                                documents.add(rs.getString(2));
                            }
                            collect(rs.getString(3), artifacts);
                        }
                    }
                }
                var ids = c.createArrayOf("text", traces.toArray());
                try (PreparedStatement ps = c.prepareStatement("SELECT events::text FROM trace_event_chunks WHERE trace_id = ANY (?)")) {
                    ps.setArray(1, ids);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            collect(rs.getString(1), artifacts);
                        }
                    }
                }
                for (String table : List.of("trace_event_chunks", "qa_validations", "qa_judgements", "traces")) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE trace_id = ANY (?)")) {
                        ps.setArray(1, ids);
                        counts.put(table + "_rows", ps.executeUpdate());
                    }
                }
                ArrayNode list = StrictJson.mapper().createArrayNode();
                traces.forEach(list::add);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO erasures (participant_id, requested_by, requested_at,"
                        + " traces, counts) VALUES (?, ?, ?, ?::jsonb, ?::jsonb) RETURNING id")) {
                    ps.setString(1, participantId);
                    ps.setString(2, requestedBy);
                    ps.setTimestamp(3, Timestamp.from(Instant.now()));
                    ps.setString(4, list.toString());
                    ps.setString(5, counts.toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        erasureId = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO erased_traces (trace_id, participant_id, erased_at,"
                        + " erasure_id) VALUES (?, ?, now(), ?) ON CONFLICT (trace_id) DO NOTHING")) {
                    for (String t : traces) {
                        ps.setString(1, t);
                        ps.setString(2, participantId);
                        ps.setLong(3, erasureId);
                        ps.addBatch();
                    }
                    ps.executeBatch();
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
            for (String sha : artifacts) {
                if (!stillReferenced(c, sha) && store.deleteArtifact(sha)) {
                    removed++;
                }
            }
            counts.put("documents", docs);
            counts.put("artifacts", removed);
            counts.put("artifacts_kept_shared", artifacts.size() - removed);
            try (PreparedStatement ps = c.prepareStatement("UPDATE erasures SET counts = ?::jsonb WHERE id = ?")) {
                ps.setString(1, counts.toString());
                ps.setLong(2, erasureId);
                ps.executeUpdate();
            }
            c.commit();
        }
        ObjectNode out = StrictJson.mapper().createObjectNode();
        out.put("participant_id", participantId);
        out.put("erasure_id", erasureId);
        out.put("traces_erased", traces.size());
        out.set("counts", counts);
        return out;
    }

    private static boolean stillReferenced(Connection c, String sha) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM trace_event_chunks WHERE events::text LIKE ? LIMIT 1")) {
            ps.setString(1, "%" + sha + "%");
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM traces WHERE header::text LIKE ? LIMIT 1")) {
            ps.setString(1, "%" + sha + "%");
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
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
