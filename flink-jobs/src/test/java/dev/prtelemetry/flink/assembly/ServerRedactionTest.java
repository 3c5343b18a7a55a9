package dev.prtelemetry.flink.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.HashChain;
import dev.prtelemetry.schemas.integrity.TraceDocumentVerifier;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.redaction.RedactionSelfTest;
import dev.prtelemetry.schemas.redaction.Redactor;
import dev.prtelemetry.schemas.redaction.ServerRedaction;
import dev.prtelemetry.schemas.stream.TraceRecords;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server-side redaction in the assembly: a client that did not redact sends a made-up secret of
 * every rule (the optional e-mail and IP rules switched on) in a file edit, a command, its output
 * and a note. Nothing the assembly emits for a store — event rows, the document, the trace row,
 * dead letters — holds a secret; each event records the rule that fired; the chain still verifies.
 */
class ServerRedactionTest {
    static final String TRACE = "5e1c0a7b-2d4f-4b6e-8a9c-0f1e2d3c4b5a";
    static final RedactionSettings ALL_RULES = new RedactionSettings(true, Redactor.optionalRules(), "test-key");

    private KeyedOneInputStreamOperatorTestHarness<String, TraceRecord, TraceRow> harness;

    @BeforeEach
    void setUp() throws Exception {
        TraceAssemblyFunction fn = new TraceAssemblyFunction(new TraceAssembler.Config(60_000, 600_000, 100, ALL_RULES),
                Duration.ofDays(1));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), r -> r.traceId, Types.STRING);
        harness.open();
        harness.setProcessingTime(1_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    static List<JsonNode> chained() {
        HashChain chain = new HashChain(TRACE);
        List<JsonNode> out = new ArrayList<>();
        for (ObjectNode e : RedactionSelfTest.seededEvents()) {
            out.add(chain.append(e));
        }
        return out;
    }

    @Test
    void noSecretOfAnyRuleLeavesTheAssemblyAndEveryEventSaysWhichRuleFired() throws Exception {
        List<JsonNode> events = chained();
        ObjectNode header = StrictJson.mapper().createObjectNode();
        header.put("participant_id", "p-7").put("task_id", "t-1").put("task_title", "Fix the config loader")
                .put("task_description", "It fails with DATABASE_URL=postgres://app:S3cr3tPassw0rd@db.internal:5432/app")
                .put("repo_origin", "https://x:ghp_9fK2mQ7zR4tV8wX1yZ5bC6dE0gH3jLkN8pQs@github.com/o/r")
                .put("start_commit", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        header.putObject("consent").put("granted", true).putArray("scopes").add("training");
        send(TraceRecords.header(TRACE, 1764000100.0, header));
        int chunkSeq = 0;
        for (int i = 0; i < events.size(); i += 10, chunkSeq++) {
            ObjectNode chunk = StrictJson.mapper().createObjectNode();
            chunk.put("chunk_id", "c-" + chunkSeq).put("chunk_seq", chunkSeq);
            chunk.putArray("events").addAll(events.subList(i, Math.min(i + 10, events.size())));
            send(TraceRecords.chunk(TRACE, 1764000200.0 + chunkSeq, chunk));
        }
        ObjectNode complete = StrictJson.mapper().createObjectNode();
        complete.put("final_seq", events.size() - 1).put("chain_head", events.get(events.size() - 1).get("hash").asText());
        send(TraceRecords.complete(TRACE, 1764000300.0, complete));
        // a late re-send after the end goes to the dead-letter topic: redacted there too
        ObjectNode late = StrictJson.mapper().createObjectNode();
        late.put("chunk_id", "late").put("chunk_seq", 99).putArray("events").addAll(events.subList(0, 3));
        send(TraceRecords.chunk(TRACE, 1764000400.0, late));

        StringBuilder stored = new StringBuilder();
        for (StreamRecord<ChunkRow> c : harness.getSideOutput(TraceAssemblyFunction.CHUNKS)) {
            stored.append(new String(c.getValue().eventsJson, StandardCharsets.UTF_8));
        }
        for (StreamRecord<? extends TraceRow> r : harness.extractOutputStreamRecords()) {
            stored.append(r.getValue().headerJson);
        }
        List<AssembledTrace> assembled = new ArrayList<>();
        harness.getSideOutput(TraceAssemblyFunction.ASSEMBLED).forEach(r -> assembled.add(r.getValue()));
        assertThat(assembled).hasSize(1);
        String document = new String(AssemblyTestBase.document(assembled.get(0), harness), StandardCharsets.UTF_8);
        stored.append(document);
        List<DeadLetterRecord> dead = new ArrayList<>();
        harness.getSideOutput(TraceAssemblyFunction.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
        assertThat(dead).hasSize(1);
        stored.append(dead.get(0).recordJson);

        for (String secret : RedactionSelfTest.seededSecrets()) {
            assertThat(stored.toString()).as("a secret reached a store").doesNotContain(secret);
        }
        assertThat(stored.toString()).doesNotContain("S3cr3tPassw0rd", "ghp_9fK2mQ7zR4tV8wX1yZ5bC6dE0gH3jLkN8pQs");

        JsonNode doc = StrictJson.parse(document);
        assertThat(assembled.get(0).row.status).isEqualTo("complete");
        assertThat(TraceSchemas.get().validate(SchemaName.TRACE, doc)).isEmpty();
        // the chain and the Merkle root are those of the events as sent: the recorder's numbers still hold
        assertThat(TraceDocumentVerifier.verifyDocument(doc).intact()).as(TraceDocumentVerifier.verifyDocument(doc).summary()).isTrue();
        assertThat(doc.at("/integrity/chain_head").asText()).isEqualTo(events.get(events.size() - 1).get("hash").asText());
        List<RedactionSelfTest.Canary> canaries = RedactionSelfTest.canaries();
        for (int i = 0; i < canaries.size(); i++) {
            for (int k = 0; k < 3; k++) {
                JsonNode e = doc.get("events").get(3 * i + k);
                assertThat(ServerRedaction.rulesFired(e)).as(e.get("type") + " of " + canaries.get(i).rule())
                        .contains(canaries.get(i).rule());
                assertThat(e.at("/server_redaction/redactions/0/fingerprint").asText()).hasSize(32);
            }
            // the command event holds two contexts: the command line and the output, each redacted where it is
            JsonNode cmd = doc.get("events").get(3 * i + 1);
            List<String> pointers = new ArrayList<>();
            cmd.at("/server_redaction/redactions").forEach(r -> pointers.add(r.get("pointer").asText()));
            assertThat(pointers).as(canaries.get(i).rule()).contains("/payload/command", "/payload/output_excerpt");
        }
        assertThat(doc.at("/session/server_redactions/redactions").findValuesAsText("rule"))
                .contains("password-in-url", "github-token");
        assertThat(doc.at("/task/description").asText()).contains("[REDACTED:password-in-url]");
    }

    /**
     * A client of the replaced system (format v0) redacts nothing either: each rule's secret in a flat cmd_run and a
     * free-form note is redacted in the translation and in the original text it keeps ({@code v0_event}); the server's
     * chain verifies over the redacted events.
     */
    @Test
    void formatV0EventsAreRedactedInTheirTranslationAndTheirOriginal() throws Exception {
        ObjectNode header = StrictJson.mapper().createObjectNode();
        header.put("participant_id", "p-7").put("task_id", "t-1").put("task_title", "v0").put("repo_origin", "https://e.org/r")
                .put("start_commit", "abc123");
        header.putObject("consent").put("granted", true).putArray("scopes").add("training");
        send(TraceRecords.header(TRACE, 1764000100.0, header));
        List<RedactionSelfTest.Canary> canaries = RedactionSelfTest.canaries();
        StringBuilder text = new StringBuilder("{\"chunk_id\":\"v0\",\"chunk_seq\":0,\"events\":[");
        for (int i = 0; i < canaries.size(); i++) {
            ObjectNode cmd = StrictJson.mapper().createObjectNode().put("id", "c" + i).put("seq", 2 * i).put("ts_client_s", 1764000000 + i)
                    .put("type", "cmd_run").put("cmd", "deploy --config '" + canaries.get(i).line() + "'").put("exit_code", 0);
            ObjectNode note = StrictJson.mapper().createObjectNode().put("id", "n" + i).put("seq", 2 * i + 1)
                    .put("ts_client_s", 1764000000 + i).put("type", "rationale_note").put("freeform", "saw " + canaries.get(i).line());
            text.append(i == 0 ? "" : ",").append(cmd).append(',').append(note);
        }
        text.append("]}");
        JsonNode chunk = StrictJson.parse(text.toString());
        send(StrictJson.parse(TraceRecords.chunkText(TRACE, 1764000200.0, 0, TraceRecords.digest(chunk), text.toString())));
        send(TraceRecords.complete(TRACE, 1764000300.0, StrictJson.mapper().createObjectNode()));

        List<AssembledTrace> assembled = new ArrayList<>();
        harness.getSideOutput(TraceAssemblyFunction.ASSEMBLED).forEach(r -> assembled.add(r.getValue()));
        assertThat(assembled).hasSize(1);
        assertThat(assembled.get(0).row.status).as(assembled.get(0).row.reasonsJson).isEqualTo("complete");
        String document = new String(AssemblyTestBase.document(assembled.get(0), harness), StandardCharsets.UTF_8);
        for (String secret : RedactionSelfTest.seededSecrets()) {
            assertThat(document).as("a secret reached the document").doesNotContain(secret);
        }
        JsonNode doc = StrictJson.parse(document);
        assertThat(doc.at("/integrity/chain").asText()).isEqualTo("server");
        assertThat(TraceDocumentVerifier.verifyDocument(doc).intact()).as(TraceDocumentVerifier.verifyDocument(doc).summary()).isTrue();
        assertThat(TraceSchemas.get().validate(SchemaName.TRACE, doc)).isEmpty();
        for (int i = 0; i < canaries.size(); i++) {
            JsonNode cmd = doc.get("events").get(2 * i);
            List<String> pointers = new ArrayList<>();
            cmd.at("/server_redaction/redactions").forEach(r -> pointers.add(r.get("pointer").asText()));
            assertThat(pointers).as(canaries.get(i).rule()).contains("/payload/command", "/v0_event/cmd");
            // the original text keeps every other byte and stays JSON
            String original = cmd.get("v0_event").asText();
            assertThat(original).contains("[REDACTED:").startsWith("{\"id\":\"c" + i + "\",\"seq\":" + 2 * i + ",").endsWith(",\"exit_code\":0}");
            assertThat(StrictJson.parse(original).get("cmd").asText()).isEqualTo(cmd.at("/payload/command").asText());
        }
    }

    @Test
    void aRedactedEventWhoseContentIsChangedAfterwardsFailsVerification() throws Exception {
        List<JsonNode> events = chained().subList(0, 3);
        ObjectNode e = (ObjectNode) events.get(1).deepCopy();
        Redactor r = ALL_RULES.redactor();
        assertThat(ServerRedaction.redactEvent(r, e)).isTrue();
        assertThat(e.get("hash")).isEqualTo(events.get(1).get("hash")); // the original hash stays
        var state = dev.prtelemetry.schemas.integrity.ChainState.start(TRACE);
        assertThat(dev.prtelemetry.schemas.integrity.ChainRules.accept(state, events.get(0), List.of(), null)).isNull();
        ObjectNode tampered = e.deepCopy();
        ((ObjectNode) tampered.get("payload")).put("exit_code", 0);
        var verdict = dev.prtelemetry.schemas.integrity.ChainRules.accept(state, tampered, List.of(), null);
        assertThat(verdict).isNotNull();
        assertThat(verdict.reason()).contains("redacted content hashes to");
        assertThat(dev.prtelemetry.schemas.integrity.ChainRules.accept(state, e, List.of(), null)).isNull();
    }

    @Test
    void aClientCannotSendAnEventThatClaimsToBeRedactedByTheServer() throws Exception {
        List<JsonNode> events = chained().subList(0, 3);
        ObjectNode forged = (ObjectNode) events.get(0).deepCopy();
        forged.putObject(ServerRedaction.MEMBER).put("rule_set", "x").put("content_hash", "0".repeat(64)).putArray("redactions");
        ObjectNode h = StrictJson.mapper().createObjectNode();
        h.put("participant_id", "p-7").put("task_id", "t").put("task_title", "t").put("repo_origin", "o")
                .put("start_commit", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        send(TraceRecords.header(TRACE, 1.0, h));
        ObjectNode chunk = StrictJson.mapper().createObjectNode();
        chunk.put("chunk_id", "c-0").put("chunk_seq", 0).putArray("events").add(forged);
        send(TraceRecords.chunk(TRACE, 2.0, chunk));
        List<AssembledTrace> assembled = new ArrayList<>();
        harness.getSideOutput(TraceAssemblyFunction.ASSEMBLED).forEach(x -> assembled.add(x.getValue()));
        assertThat(assembled).singleElement().satisfies(a -> {
            assertThat(a.row.status).isEqualTo("rejected");
            assertThat(a.row.reasonsJson).contains("server_redaction, which only the assembly writes");
        });
        // and the gateway's chunk schema refuses it in the first place
        assertThat(TraceSchemas.get().validate(SchemaName.CHUNK, chunk)).isNotEmpty();
    }

    @Test
    void anEraseRecordDropsWhatTheAssemblyHoldsAndLaterRecordsAreDeadLetters() throws Exception {
        List<JsonNode> events = chained();
        ObjectNode h = StrictJson.mapper().createObjectNode();
        h.put("participant_id", "p-7").put("task_id", "t").put("task_title", "t").put("repo_origin", "o")
                .put("start_commit", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        send(TraceRecords.header(TRACE, 1.0, h));
        ObjectNode chunk = StrictJson.mapper().createObjectNode();
        chunk.put("chunk_id", "c-0").put("chunk_seq", 0).putArray("events").addAll(events.subList(0, 3));
        send(TraceRecords.chunk(TRACE, 2.0, chunk));
        assertThat(harness.numKeyedStateEntries()).isPositive();
        send(TraceRecords.erase(TRACE, 3.0, "participant-request", 1, "p-7"));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        // the metrics learn of the participant's erasure (so their windows are withdrawn)
        assertThat(harness.getSideOutput(TraceAssemblyFunction.PARTICIPANT_ERASURES)).singleElement()
                .satisfies(e -> assertThat(e.getValue().participantId).isEqualTo("p-7"));
        send(TraceRecords.erase(TRACE, 3.5, "retention", 2));
        assertThat(harness.getSideOutput(TraceAssemblyFunction.PARTICIPANT_ERASURES)).hasSize(1);
        chunk.put("chunk_seq", 1).put("chunk_id", "c-1").putArray("events").removeAll().addAll(events.subList(3, 6));
        send(TraceRecords.chunk(TRACE, 4.0, chunk));
        assertThat(harness.getSideOutput(TraceAssemblyFunction.ASSEMBLED)).isNullOrEmpty();
        List<DeadLetterRecord> dead = new ArrayList<>();
        harness.getSideOutput(TraceAssemblyFunction.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
        assertThat(dead).singleElement().satisfies(d -> assertThat(d.reason).contains("erased"));
    }

    private void send(JsonNode record) throws Exception {
        harness.processElement(new StreamRecord<>(TraceRecordParser.parse(TRACE.getBytes(StandardCharsets.UTF_8),
                record.toString().getBytes(StandardCharsets.UTF_8))));
    }
}
