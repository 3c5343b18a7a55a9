package dev.prtelemetry.gateway;

import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import javax.sql.DataSource;

/** Health, readiness, Prometheus metrics, the OpenAPI document and the JSON Schemas. */
@Controller
public class OpsController {
    private final PrometheusMeterRegistry registry;
    private final DataSource dataSource;
    private final TraceRecordsProducer producer;

    public OpsController(PrometheusMeterRegistry registry, DataSource dataSource, TraceRecordsProducer producer) {
        this.registry = registry;
        this.dataSource = dataSource;
        this.producer = producer;
    }

    @Factory
    static class Meters {
        @Singleton
        @Bean(typed = {PrometheusMeterRegistry.class, MeterRegistry.class})
        PrometheusMeterRegistry prometheus() {
            return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }
    }

    /** The process is up. */
    @Get(uri = "/healthz", produces = "application/json")
    public String healthz() {
        return "{\"status\":\"up\"}";
    }

    /** PostgreSQL answers: the gateway can serve reads. (Kafka is checked per request: no ack, no 2xx.) */
    @Get(uri = "/readyz", produces = "application/json")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public MutableHttpResponse<String> readyz() {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(2)) {
                return HttpResponse.ok("{\"status\":\"ready\"}");
            }
        } catch (Exception e) {
            return HttpResponse.<String>status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body("{\"status\":\"not ready\",\"reason\":\"PostgreSQL: " + e.getClass().getSimpleName() + "\"}");
        }
        return HttpResponse.<String>status(HttpStatus.SERVICE_UNAVAILABLE).body("{\"status\":\"not ready\"}");
    }

    @Get(uri = "/metrics", produces = "text/plain; version=0.0.4")
    public String metrics() {
        return registry.scrape();
    }

    @Get(uri = "/openapi.yml", produces = "application/yaml")
    public String openapi() throws IOException {
        try (InputStream in = OpsController.class.getResourceAsStream("/openapi.yml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Get(uri = "/v1/schemas/{name}", produces = "application/schema+json")
    public String schema(@PathVariable String name) {
        try {
            return StrictJson.toString(TraceSchemas.schemaDocument(SchemaName.parse(name)));
        } catch (IllegalArgumentException e) {
            throw Problem.notFound(e.getMessage());
        }
    }
}
