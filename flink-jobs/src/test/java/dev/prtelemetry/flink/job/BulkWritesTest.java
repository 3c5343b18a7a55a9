package dev.prtelemetry.flink.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BulkWritesTest {
    /** Counts the calls that reach it, like the temp file under the presto S3 stream. */
    static final class Sink extends ByteArrayOutputStream {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public synchronized void write(int b) {
            calls.incrementAndGet();
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            calls.incrementAndGet();
            super.write(b, off, len);
        }
    }

    /** A filter that only passes bytes on, as PrestoS3OutputStream does (the JDK's default: one byte per call). */
    static final class PassThrough extends FilterOutputStream {
        PassThrough(OutputStream out) {
            super(out);
        }
    }

    /** Flink's and Hadoop's wrappers, reached the way BulkWrites reaches them (by their accessor names). */
    public static final class Wrapper extends OutputStream {
        private final OutputStream inner;

        Wrapper(OutputStream inner) {
            this.inner = inner;
        }

        public OutputStream getHadoopOutputStream() {
            return this;
        }

        public OutputStream getWrappedStream() {
            return inner;
        }

        @Override
        public void write(int b) throws IOException {
            inner.write(b);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    @Test
    void aPassThroughFilterUnderTheWrappersGetsTheBytesInOneCall() throws IOException {
        Sink sink = new Sink();
        byte[] doc = new byte[100_000];
        new java.util.Random(7).nextBytes(doc);
        try (OutputStream os = new Wrapper(new PassThrough(sink))) {
            BulkWrites.writeAll(os, doc);
        }
        assertThat(sink.toByteArray()).isEqualTo(doc);
        assertThat(sink.calls.get()).isEqualTo(1);
        // the plain way: one call per byte
        Sink slow = new Sink();
        try (OutputStream os = new Wrapper(new PassThrough(slow))) {
            os.write(doc);
        }
        assertThat(slow.calls.get()).isEqualTo(doc.length);
    }

    @Test
    void aFilterThatDoesSomethingWithTheBytesIsWrittenThrough() throws IOException {
        Sink sink = new Sink();
        AtomicInteger seen = new AtomicInteger();
        OutputStream counting = new FilterOutputStream(sink) {
            @Override
            public void write(int b) throws IOException {
                seen.incrementAndGet();
                super.write(b);
            }
        };
        byte[] doc = "{\"events\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (OutputStream os = new Wrapper(counting)) {
            BulkWrites.writeAll(os, doc);
        }
        assertThat(seen.get()).isEqualTo(doc.length);
        assertThat(sink.toByteArray()).isEqualTo(doc);
        // and a stream that is no filter at all is simply written
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        BulkWrites.writeAll(plain, doc);
        assertThat(plain.toByteArray()).isEqualTo(doc);
    }
}
