package dev.prtelemetry.gateway;

import io.micronaut.runtime.Micronaut;

/** The ingest gateway: a thin HTTP front of Kafka, S3 and PostgreSQL. */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
