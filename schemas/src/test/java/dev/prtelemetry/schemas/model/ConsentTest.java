package dev.prtelemetry.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsentTest {
    @Test
    void theScopesAreTheSchemasScopes() {
        JsonNode items = TraceSchemas.schemaDocument(dev.prtelemetry.schemas.validation.SchemaName.CREATE_TRACE_REQUEST)
                .at("/properties/consent/properties/scopes/items/enum");
        List<String> schema = new java.util.ArrayList<>();
        items.forEach(s -> schema.add(s.asText()));
        assertThat(List.of(Consent.Scope.values()).stream().map(Consent.Scope::wire).toList()).isEqualTo(schema);
        assertThat(Consent.Scope.of("training")).contains(Consent.Scope.TRAINING);
        assertThat(Consent.Scope.of("TRAINING")).isEmpty();
    }

    @Test
    void theRecordedFormReadsBackAsWritten() {
        Consent c = new Consent(List.of(Consent.Scope.EVALUATION, Consent.Scope.TRAINING), "prt-consent-v2", 1764590400.25);
        JsonNode json = StrictJson.parse(c.toJson().toString());
        assertThat(json.get("granted").asBoolean()).isTrue();
        assertThat(Consent.of(json)).isEqualTo(c);
        assertThat(c.grants(Consent.Scope.PUBLICATION)).isFalse();
    }

    @Test
    void anythingElseIsRefused() {
        assertThatThrownBy(() -> Consent.of(StrictJson.parse("{\"scopes\":[\"marketing\"],\"text_version\":\"v\",\"granted_at\":1}")))
                .hasMessageContaining("marketing");
        assertThatThrownBy(() -> Consent.of(StrictJson.parse("{\"scopes\":[],\"text_version\":\"v\",\"granted_at\":1}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Consent.of(StrictJson.parse("{\"scopes\":[\"training\"],\"granted_at\":1}")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
