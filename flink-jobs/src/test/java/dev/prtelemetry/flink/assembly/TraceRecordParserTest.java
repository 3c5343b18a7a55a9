package dev.prtelemetry.flink.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TraceRecordParserTest extends AssemblyTestBase {
    @Test
    void routesByHeadersWithoutParsingAndFallsBackToTheBodyWithoutThem() {
        TraceRecord parsed = chunk(1);
        byte[] key = TRACE.getBytes(StandardCharsets.UTF_8);
        byte[] body = parsed.body;
        TraceRecord routed = TraceRecordParser.fromHeaders(key, body, "chunk", "1", parsed.digest);
        assertThat(routed.isValid()).isTrue();
        assertThat(routed.chunkSeq).isEqualTo(1);
        assertThat(routed.digest).isEqualTo(parsed.digest);
        assertThat(TraceRecordParser.fromHeaders(key, body, null, null, null).digest).isEqualTo(parsed.digest);
        assertThat(TraceRecordParser.fromHeaders(key, body, "chunk", "x", parsed.digest).isValid()).isFalse();
    }

    @Test
    void anUnreadableBodyRoutedByHeadersIsDeadLetteredByTheAssembly() {
        TraceRecord r = TraceRecordParser.fromHeaders(TRACE.getBytes(StandardCharsets.UTF_8),
                "{broken".getBytes(StandardCharsets.UTF_8), "chunk", "0", "00");
        AssemblyState s = AssemblyState.start(TRACE, 0);
        TraceAssembler.Outcome o = new TraceAssembler(TraceAssembler.Config.defaults()).onRecord(s, r, 0);
        assertThat(o.deadLetters).singleElement().satisfies(d -> assertThat(d.reason()).startsWith("unreadable chunk record"));
        assertThat(s.status).isEqualTo(TraceStatus.OPEN);
    }

    @Test
    void anEraseRecordNamesTheParticipantWhetherRoutedByHeadersOrByItsBody() {
        byte[] key = TRACE.getBytes(StandardCharsets.UTF_8);
        byte[] asked = dev.prtelemetry.schemas.stream.TraceRecords.erase(TRACE, 1.0, "participant-request", 3, "p-1").toString()
                .getBytes(StandardCharsets.UTF_8);
        byte[] retention = dev.prtelemetry.schemas.stream.TraceRecords.erase(TRACE, 1.0, "retention", 4).toString()
                .getBytes(StandardCharsets.UTF_8);
        assertThat(TraceRecordParser.fromHeaders(key, asked, "erase", null, null).participantId).isEqualTo("p-1");
        assertThat(TraceRecordParser.parse(key, asked).participantId).isEqualTo("p-1");
        assertThat(TraceRecordParser.fromHeaders(key, retention, "erase", null, null).participantId).isNull();
        assertThat(TraceRecordParser.fromHeaders(key, "{broken".getBytes(StandardCharsets.UTF_8), "erase", null, null).participantId).isNull();
    }
}
