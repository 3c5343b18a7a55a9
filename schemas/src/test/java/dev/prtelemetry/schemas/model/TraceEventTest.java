package dev.prtelemetry.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.integrity.TraceFixtures;
import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import org.junit.jupiter.api.Test;

class TraceEventTest {

    @Test
    void everyEventTypeReadsIntoItsRecordAndWritesBackToTheSameCanonicalJson() {
        for (JsonNode event : TraceFixtures.sampleDocument().get("events")) {
            TraceEvent typed = TraceEvent.fromJson(event);
            assertThat(typed.type().wireName()).isEqualTo(event.get("type").textValue());
            assertThat(CanonicalJson.canonicalString(typed.toJson())).isEqualTo(CanonicalJson.canonicalString(event));
            assertThat(TraceSchemas.get().validate(SchemaName.EVENT, typed.toJson())).isEmpty();
        }
    }

    @Test
    void payloadIsTypedByTheEventType() {
        JsonNode hypothesis = TraceFixtures.sampleDocument().get("events").get(3);
        TraceEvent typed = TraceEvent.fromJson(hypothesis);
        assertThat(typed.payload()).isInstanceOfSatisfying(EventPayload.RationaleNote.class, note -> {
            assertThat(note.kind()).isEqualTo(EventPayload.NoteKind.HYPOTHESIS);
            assertThat(note.refs()).containsExactly("ev-0002");
        });
    }

    @Test
    void theAssembledDocumentReadsIntoItsRecord() throws Exception {
        TraceDocument doc = StrictJson.mapper().treeToValue(TraceFixtures.sampleDocument(), TraceDocument.class);
        assertThat(doc.traceVersion()).isEqualTo(TraceDocument.VERSION);
        assertThat(doc.integrity().eventCount()).isEqualTo(9);
        assertThat(doc.repo().startCommit()).isEqualTo("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assertThat(TraceSchemas.get().validate(SchemaName.TRACE, StrictJson.mapper().valueToTree(doc))).isEmpty();
    }

    @Test
    void artifactReferencesParseAndRefuseOtherSchemes() {
        String hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assertThat(ArtifactRef.parse("artifact://sha256/" + hex).sha256()).isEqualTo(hex);
        assertThatThrownBy(() -> ArtifactRef.parse("s3://bucket/" + hex)).hasMessageContaining("artifact://sha256/");
        assertThatThrownBy(() -> new ArtifactRef(hex.toUpperCase())).isInstanceOf(IllegalArgumentException.class);
    }
}
