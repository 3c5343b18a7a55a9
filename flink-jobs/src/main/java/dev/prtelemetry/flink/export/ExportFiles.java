package dev.prtelemetry.flink.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;

/** Writing and reading one data file of an export, Parquet (ZSTD) or JSONL, row by row. */
public final class ExportFiles {
    public enum Format {
        PARQUET("parquet", "parquet"), JSONL("jsonl", "jsonl"),
        /** SWE-bench task instances (JSONL), one per verified trace, with the repositories at their base commits. */
        SWEBENCH("swebench", "jsonl");

        public final String label;
        public final String extension;

        Format(String label, String extension) {
            this.label = label;
            this.extension = extension;
        }

        public static Format of(String name) {
            for (Format f : values()) {
                if (f.label.equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown format '" + name + "' (parquet, jsonl or swebench)");
        }

        public static Format ofFile(Path file) {
            return file.getFileName().toString().endsWith(".parquet") ? PARQUET : JSONL;
        }
    }

    private ExportFiles() {
    }

    /** Rows appended to one file; closing it ends the file. */
    public interface Writer extends AutoCloseable {
        void write(ObjectNode row) throws IOException;

        @Override
        void close() throws IOException;
    }

    public static Writer open(Path file, Format format) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        if (format != Format.PARQUET) {
            BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            return new Writer() {
                @Override
                public void write(ObjectNode row) throws IOException {
                    out.write(row.toString());
                    out.write('\n');
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }
        ParquetWriter<GenericRecord> out = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(ExportSchema.ROW)
                .withConf(new Configuration(false))
                .withCompressionCodec(CompressionCodecName.ZSTD)
                // most values are unique and long (hashes, raw events, outputs, diffs): a dictionary and
                // min/max statistics over them cost half the writer's time and buy nothing; ZSTD takes the repeats
                .withDictionaryEncoding(false)
                .withStatisticsEnabled(false)
                .withStatisticsEnabled("trace_id", true)
                .build();
        return new Writer() {
            @Override
            public void write(ObjectNode row) throws IOException {
                out.write(ExportSchema.toAvro(row));
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /** Every row of a data file, in order, as the row's JSON. */
    public static void read(Path file, Consumer<ObjectNode> rows) throws IOException {
        if (Format.ofFile(file) == Format.JSONL) {
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                lines.forEach(l -> {
                    JsonNode n = StrictJson.parseAccepted(l);
                    if (!n.isObject()) {
                        throw new UncheckedIOException(new IOException("a line that is not a JSON object"));
                    }
                    rows.accept((ObjectNode) n);
                });
            }
            return;
        }
        try (ParquetReader<GenericRecord> in = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
                .withConf(new Configuration(false)).build()) {
            for (GenericRecord r = in.read(); r != null; r = in.read()) {
                rows.accept(ExportSchema.toJson(r));
            }
        }
    }

    /** Lowercase hex SHA-256 of a file's bytes. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = Sha256.newDigest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return Sha256.hex(md.digest());
    }
}
