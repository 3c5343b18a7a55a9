package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The export's row schema, in one place: as Avro (what the Parquet files are written with), as
 * the Hugging Face {@code features} of the dataset card, and the conversions between a row's JSON
 * (the JSONL line) and an Avro record. Version {@link #VERSION}: a change of columns is a new version.
 */
public final class ExportSchema {
    public static final String VERSION = "prt-export-v1";
    public static final Schema CASE;
    public static final Schema EVENT;
    public static final Schema SCORE;
    public static final Schema JUDGEMENT;
    public static final Schema ROW;

    static {
        CASE = SchemaBuilder.record("TestCase").namespace("dev.prtelemetry.export").fields()
                .optionalString("name").optionalString("classname").optionalString("outcome").optionalDouble("duration_s")
                .optionalString("message").endRecord();
        var e = SchemaBuilder.record("Event").namespace("dev.prtelemetry.export").fields()
                .requiredLong("seq").requiredString("id").requiredString("type").requiredDouble("ts_client_s")
                .optionalDouble("ts_server_s").requiredString("prev_hash").requiredString("hash")
                // file_edit (diff also commit's)
                .optionalString("path").optionalString("diff").optionalString("before_sha256").optionalString("after_sha256")
                // cmd_run and test_run
                .optionalString("command").optionalString("cwd").optionalLong("exit_code").optionalDouble("duration_s")
                .optionalString("output_excerpt").optionalBoolean("output_truncated")
                // test_run
                .optionalString("framework").optionalLong("tests_total").optionalLong("tests_passed").optionalLong("tests_failed")
                .optionalLong("tests_errors").optionalLong("tests_skipped")
                .name("cases").type().optional().array().items(CASE)
                // commit
                .optionalString("commit_sha").optionalString("message")
                .name("parents").type().optional().array().items().stringType()
                .optionalString("author")
                // rationale_note
                .optionalString("note_kind").optionalString("text")
                .name("refs").type().optional().array().items().stringType()
                .name("artifact_refs").type().array().items().stringType().noDefault()
                .requiredString("raw");
        EVENT = e.endRecord();
        SCORE = SchemaBuilder.record("Score").namespace("dev.prtelemetry.export").fields()
                .requiredString("dimension").optionalDouble("score").optionalString("justification")
                .name("evidence").type().array().items().stringType().noDefault().endRecord();
        JUDGEMENT = SchemaBuilder.record("Judgement").namespace("dev.prtelemetry.export").fields()
                .requiredString("rubric").requiredString("judge").optionalDouble("overall")
                .name("scores").type().array().items(SCORE).noDefault().optionalString("judged_at").endRecord();
        ROW = SchemaBuilder.record("Trace").namespace("dev.prtelemetry.export").doc(VERSION).fields()
                .requiredString("trace_id").requiredString("split")
                .optionalString("task_id").optionalString("task_title").optionalString("task_description")
                .optionalString("repo_origin").optionalString("start_commit").optionalString("test_command")
                .name("events").type().array().items(EVENT).noDefault()
                .optionalString("final_patch").optionalString("patch").optionalString("test_patch")
                .name("fail_to_pass").type().array().items().stringType().noDefault()
                .name("pass_to_pass").type().array().items().stringType().noDefault()
                .optionalString("verdict").optionalString("verifier").optionalString("verified_at")
                .name("judgements").type().array().items(JUDGEMENT).noDefault()
                .name("consent_scopes").type().array().items().stringType().noDefault()
                .optionalString("consent_text_version")
                .optionalString("chain_head").optionalString("merkle_root").requiredLong("event_count")
                .endRecord();
    }

    private ExportSchema() {
    }

    /** A row's JSON as an Avro record of {@link #ROW}; a member the schema does not know is an error. */
    public static GenericRecord toAvro(JsonNode row) {
        return (GenericRecord) toAvro(row, ROW, "");
    }

    private static Object toAvro(JsonNode v, Schema s, String where) {
        if (s.getType() == Schema.Type.UNION) {
            if (v == null || v.isNull()) {
                return null;
            }
            return toAvro(v, s.getTypes().get(1), where);
        }
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": null where " + s.getType() + " is required");
        }
        switch (s.getType()) {
            case RECORD: {
                GenericData.Record r = new GenericData.Record(s);
                v.fieldNames().forEachRemaining(n -> {
                    if (s.getField(n) == null) {
                        throw new IllegalArgumentException(where + "/" + n + ": not a column of " + s.getName());
                    }
                });
                for (Schema.Field f : s.getFields()) {
                    r.put(f.pos(), toAvro(v.get(f.name()), f.schema(), where + "/" + f.name()));
                }
                return r;
            }
            case ARRAY: {
                List<Object> out = new ArrayList<>(v.size());
                int i = 0;
                for (JsonNode x : v) {
                    out.add(toAvro(x, s.getElementType(), where + "/" + i++));
                }
                return new GenericData.Array<>(s, out);
            }
            case STRING:
                return v.asText();
            case LONG:
                return v.asLong();
            case DOUBLE:
                return v.asDouble();
            case BOOLEAN:
                return v.asBoolean();
            default:
                throw new IllegalStateException("no conversion for " + s.getType());
        }
    }

    /** An Avro record of {@link #ROW} (as read back from Parquet) as the row's JSON: the same members, in schema order. */
    public static ObjectNode toJson(GenericRecord r) {
        return (ObjectNode) toJson(r, ROW);
    }

    private static JsonNode toJson(Object v, Schema s) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (s.getType() == Schema.Type.UNION) {
            return v == null ? f.nullNode() : toJson(v, s.getTypes().get(1));
        }
        switch (s.getType()) {
            case RECORD: {
                GenericRecord r = (GenericRecord) v;
                ObjectNode o = f.objectNode();
                for (Schema.Field field : s.getFields()) {
                    o.set(field.name(), toJson(r.get(field.name()), field.schema()));
                }
                return o;
            }
            case ARRAY: {
                ArrayNode a = f.arrayNode();
                for (Object x : (Iterable<?>) v) {
                    a.add(toJson(x, s.getElementType()));
                }
                return a;
            }
            case STRING:
                return f.textNode(v.toString());
            case LONG:
                return f.numberNode(((Number) v).longValue());
            case DOUBLE:
                return f.numberNode(((Number) v).doubleValue());
            case BOOLEAN:
                return f.booleanNode((Boolean) v);
            default:
                throw new IllegalStateException("no conversion for " + s.getType());
        }
    }

    /** The dataset card's {@code dataset_info.features} (Hugging Face's YAML form), indented by {@code indent}. */
    public static String features(String indent) {
        StringBuilder out = new StringBuilder();
        fields(ROW, indent, out);
        return out.toString();
    }

    private static void fields(Schema record, String indent, StringBuilder out) {
        for (Schema.Field f : record.getFields()) {
            out.append(indent).append("- name: ").append(f.name()).append('\n');
            feature(f.schema(), indent + "  ", out);
        }
    }

    private static void feature(Schema s, String indent, StringBuilder out) {
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().get(1);
        }
        if (s.getType() == Schema.Type.ARRAY) {
            Schema item = s.getElementType();
            if (item.getType() == Schema.Type.RECORD) {
                out.append(indent).append("list:\n");
                fields(item, indent + "  ", out);
            } else {
                out.append(indent).append("sequence: ").append(dtype(item)).append('\n');
            }
        } else if (s.getType() == Schema.Type.RECORD) {
            out.append(indent).append("struct:\n");
            fields(s, indent + "  ", out);
        } else {
            out.append(indent).append("dtype: ").append(dtype(s)).append('\n');
        }
    }

    private static String dtype(Schema s) {
        return switch (s.getType()) {
            case STRING -> "string";
            case LONG -> "int64";
            case DOUBLE -> "float64";
            case BOOLEAN -> "bool";
            default -> throw new IllegalStateException("no feature type for " + s.getType());
        };
    }
}
