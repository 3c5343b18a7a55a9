package dev.prtelemetry.recorder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code prt import v0} makes of the replaced system's documents, and what it refuses before sending anything. */
class ImportCommandTest {
    static final Path EXAMPLES = Path.of("../examples/v0-import");

    @Test
    void theCreateRequestIsTheReplacedSystemsWithoutConsent() throws Exception {
        JsonNode doc = StrictJson.parse(Files.readAllBytes(EXAMPLES.resolve("simple-success.json")));
        ObjectNode create = ImportCommand.createRequest(doc);
        assertThat(create.toString()).isEqualTo("{\"trace_id\":\"trace-simple-001\",\"participant_id\":\"user-123\",\"task_id\":\"BUG-456\","
                + "\"task_title\":\"Fix calculator bug\",\"task_description\":\"add(2, 3) returns -1\","
                + "\"repo_origin\":\"https://github.com/example/calculator\",\"start_commit\":\"abc1234\","
                + "\"environment\":{\"os\":\"Linux\"},\"started_at\":1759579200}");
        assertThat(TraceSchemas.get().validate(SchemaName.CREATE_TRACE_REQUEST, create)).isEmpty();
        // every example's events are valid v0 chunks as the importer sends them
        for (String name : new String[] {"simple-success.json", "complex-success.json", "failed-attempt.json"}) {
            JsonNode d = StrictJson.parse(Files.readAllBytes(EXAMPLES.resolve(name)));
            ObjectNode chunk = StrictJson.mapper().createObjectNode().put("chunk_id", "c").put("chunk_seq", 0);
            chunk.set("events", d.get("events"));
            assertThat(TraceSchemas.get().validate(SchemaName.V0_CHUNK, chunk)).as(name).isEmpty();
            ImportCommand.checkSeqs(d.get("events"));
        }
    }

    @Test
    void refusesGapsConsentDeniedAndNonDocumentsBeforeSendingAnything(@TempDir Path dir) throws Exception {
        ObjectNode doc = (ObjectNode) StrictJson.parse(Files.readAllBytes(EXAMPLES.resolve("simple-success.json")));
        ObjectNode gap = doc.deepCopy();
        ((ObjectNode) gap.get("events").get(3)).put("seq", 7);
        assertThatThrownBy(() -> ImportCommand.checkSeqs(gap.get("events"))).hasMessageContaining("events[3] has seq 7, not 3");
        ObjectNode denied = doc.deepCopy();
        ((ObjectNode) denied.get("session")).putObject("consent").put("rationales", false).put("commands", false).put("snapshots", false);
        assertThatThrownBy(() -> ImportCommand.createRequest(denied)).hasMessageContaining("consent grants nothing");
        ObjectNode noTask = doc.deepCopy();
        noTask.remove("task");
        assertThatThrownBy(() -> ImportCommand.createRequest(noTask)).hasMessageContaining("no 'task'");

        // through the command: a refused document is named, nothing is sent (no server is listening), exit 1
        Files.writeString(dir.resolve("gap.json"), gap.toString());
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new PrtCommand());
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        Files.writeString(dir.resolve("token"), "researcher-token-for-tests");
        int exit = cli.execute("import", "v0", dir.toString(), "--server", "http://127.0.0.1:9", "--researcher-token-file",
                dir.resolve("token").toString(), "--wait", "0");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("gap.json: events[3] has seq 7, not 3").contains("not imported");
        assertThat(cli.execute("import", "v2", dir.toString())).isEqualTo(2);
    }
}
