package dev.prtelemetry.schemas.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestsTest {
    @Test
    void aSchemaCheckedCreateRequestReadsAsItsRecord() {
        JsonNode body = StrictJson.parse("""
                {"trace_id":"t-1","participant_id":"alice","task_id":"BUG-1","task_title":"Broken",
                 "repo_origin":"https://example.org/r.git","start_commit":"0123456789abcdef0123456789abcdef01234567",
                 "environment":{"os":"linux","runtimes":{"python":"3.11"},"test_command":"pytest -q","test_framework":"pytest"},
                 "started_at":1764590400.5,
                 "consent":{"granted":true,"scopes":["training","evaluation"],"text_version":"v2","granted_at":1764590000},
                 "retain_until":1767182400}""");
        assertThat(TraceSchemas.get().validate(SchemaName.CREATE_TRACE_REQUEST, body)).isEmpty();
        Requests.CreateTrace c = Requests.CreateTrace.of(body);
        assertThat(c.traceId()).isEqualTo("t-1");
        assertThat(c.participantId()).isEqualTo("alice");
        assertThat(c.environment().runtimes()).isEqualTo(Map.of("python", "3.11"));
        assertThat(c.environment().testFramework()).isEqualTo("pytest");
        assertThat(c.startedAt()).isEqualTo(1764590400.5);
        assertThat(c.consent().scopes()).isEqualTo(List.of("training", "evaluation"));
        assertThat(c.consent().grantedAt()).isEqualTo(1764590000.0);
        assertThat(c.retainUntil()).isEqualTo(1767182400.0);
        // what a request leaves out stays null: the gateway applies the deployment's defaults
        Requests.CreateTrace bare = Requests.CreateTrace.of(StrictJson.parse("""
                {"participant_id":"bob","task_id":"T","task_title":"x","repo_origin":"o",
                 "start_commit":"0123456789abcdef0123456789abcdef01234567","consent":{"granted":true}}"""));
        assertThat(bare.traceId()).isNull();
        assertThat(bare.consent().scopes()).isNull();
        assertThat(bare.retainUntil()).isNull();
    }
}
