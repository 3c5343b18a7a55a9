package dev.prtelemetry.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;

/** PostgreSQL for the local stack (embedded binaries, data kept under the data folder) and its migrations. */
public final class Database implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final String jdbcUrl;

    private Database(EmbeddedPostgres postgres, String jdbcUrl) {
        this.postgres = postgres;
        this.jdbcUrl = jdbcUrl;
    }

    public static Database start(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(Files.createDirectories(dir.resolve("work")).toFile())
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(false)
                .setPort(port)
                .start();
        return new Database(pg, pg.getJdbcUrl("postgres", "postgres"));
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** Applies the versioned migrations of {@code schemas} (db/migration) that are not applied yet. */
    public static int migrate(String jdbcUrl, String user, String password) {
        return Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/migration")
                .load()
                .migrate()
                .migrationsExecuted;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
