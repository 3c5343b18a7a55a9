package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which traces an export holds, and what PostgreSQL knows of them besides the document. A trace
 * is exported only when it is complete with an intact chain, has a consent record whose retention
 * has not ended, is not on the erasure list, and passes the filters; erasure is checked again when
 * its row is written ({@link #details}), so a trace erased while an export runs is not in it.
 */
public final class ExportSelection {
    private ExportSelection() {
    }

    /** The export's filters (null: not filtered on). */
    public record Filters(boolean verifiedOnly, String rubric, Double minScore, String consentScope, String task, Long fromMs,
                          Long toMs) implements Serializable {
        public ObjectNode json() {
            ObjectNode n = StrictJson.mapper().createObjectNode();
            n.put("complete_with_intact_chain", true);
            n.put("verified_only", verifiedOnly);
            n.put("rubric", rubric);
            if (minScore == null) {
                n.putNull("min_score");
            } else {
                n.put("min_score", minScore);
            }
            n.put("consent_scope", consentScope);
            n.put("task", task);
            n.put("from", fromMs == null ? null : java.time.Instant.ofEpochMilli(fromMs).toString());
            n.put("to", toMs == null ? null : java.time.Instant.ofEpochMilli(toMs).toString());
            return n;
        }
    }

    /** A trace chosen for the export. */
    public record Selected(String traceId, String taskId, String chainHead) {
    }

    public static List<Selected> select(Connection c, Filters f) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT t.trace_id, coalesce(t.task_id, ''), t.chain_head FROM traces t"
                + " JOIN trace_consents c ON c.trace_id = t.trace_id"
                + " WHERE t.state = 'complete' AND t.verdict = 'verified' AND t.document_uri IS NOT NULL"
                + " AND c.retain_until > now()"
                + " AND NOT EXISTS (SELECT 1 FROM erased_traces e WHERE e.trace_id = t.trace_id)");
        List<Object> args = new ArrayList<>();
        if (f.consentScope() != null) {
            sql.append(" AND ? = ANY (c.scopes)");
            args.add(f.consentScope());
        }
        if (f.task() != null) {
            sql.append(" AND t.task_id = ?");
            args.add(f.task());
        }
        if (f.fromMs() != null) {
            sql.append(" AND t.created_at >= ?");
            args.add(new Timestamp(f.fromMs()));
        }
        if (f.toMs() != null) {
            sql.append(" AND t.created_at < ?");
            args.add(new Timestamp(f.toMs()));
        }
        if (f.verifiedOnly()) {
            // the newest verification decides: a later run that did not resolve it takes it out
            sql.append(" AND (SELECT v.resolved FROM qa_validations v WHERE v.trace_id = t.trace_id"
                    + " ORDER BY v.created_at DESC LIMIT 1)");
        }
        if (f.minScore() != null) {
            sql.append(" AND (SELECT j.overall FROM qa_judgements j WHERE j.trace_id = t.trace_id AND j.rubric = ?"
                    + " AND j.overall IS NOT NULL ORDER BY j.created_at DESC LIMIT 1) >= ?");
            args.add(f.rubric());
            args.add(f.minScore());
        }
        sql.append(" ORDER BY t.trace_id");
        List<Selected> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Selected(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** What PostgreSQL holds of a trace besides its events. */
    public record Details(String documentUri, ExportRows.Verification verification, List<ExportRows.Judgement> judgements,
                         ExportRows.Consent consent) {
    }

    /**
     * The details of those of {@code traceIds} still exportable now (not erased, consent still
     * retained), by trace id: the newest verification, the newest judgement per rubric and judge,
     * the consent.
     */
    public static Map<String, Details> details(Connection c, List<String> traceIds) throws SQLException {
        java.sql.Array ids = c.createArrayOf("text", traceIds.toArray());
        Map<String, String> uris = new HashMap<>();
        Map<String, ExportRows.Consent> consents = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.trace_id, t.document_uri, c.scopes, c.text_version FROM traces t"
                + " JOIN trace_consents c ON c.trace_id = t.trace_id WHERE t.trace_id = ANY (?) AND c.retain_until > now()"
                + " AND NOT EXISTS (SELECT 1 FROM erased_traces e WHERE e.trace_id = t.trace_id)")) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    uris.put(rs.getString(1), rs.getString(2));
                    consents.put(rs.getString(1), new ExportRows.Consent(Arrays.asList((String[]) rs.getArray(3).getArray()),
                            rs.getString(4)));
                }
            }
        }
        Map<String, ExportRows.Verification> verifications = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT ON (trace_id) trace_id, verifier, verdict, resolved,"
                + " created_at, tests FROM qa_validations WHERE trace_id = ANY (?) ORDER BY trace_id, created_at DESC")) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    verifications.put(rs.getString(1), new ExportRows.Verification(rs.getString(2), rs.getString(3),
                            rs.getBoolean(4), rs.getTimestamp(5).toInstant().toString(), StrictJson.parse(rs.getString(6))));
                }
            }
        }
        Map<String, List<ExportRows.Judgement>> judgements = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT ON (trace_id, rubric, judge) trace_id, rubric, judge, overall,"
                + " scores, created_at FROM qa_judgements WHERE trace_id = ANY (?) ORDER BY trace_id, rubric, judge, created_at DESC")) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double overall = rs.getDouble(4);
                    JsonNode scores = StrictJson.parse(rs.getString(5));
                    judgements.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new ExportRows.Judgement(
                            rs.getString(2), rs.getString(3), rs.wasNull() ? null : overall, scores,
                            rs.getTimestamp(6).toInstant().toString()));
                }
            }
        }
        Map<String, Details> out = new HashMap<>();
        uris.forEach((id, uri) -> out.put(id, new Details(uri, verifications.get(id), judgements.getOrDefault(id, List.of()),
                consents.get(id))));
        return out;
    }
}
