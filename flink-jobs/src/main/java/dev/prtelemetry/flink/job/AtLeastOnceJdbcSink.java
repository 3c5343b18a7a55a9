package dev.prtelemetry.flink.job;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's at-least-once {@link JdbcSink}, except that its writer's {@code close()} does not throw.
 *
 * <p>Why: when a task fails (PostgreSQL restarted under it, say), Flink 2 closes its operators in
 * the task's failure clean-up, and an exception there is "an exception in the exception handler"
 * — fatal: the whole TaskManager exits, taking every other task on it down (seen in the fault
 * drill: a PostgreSQL restart killed both TaskManagers). The JDBC writer's {@code close()} flushes
 * its batch and rethrows the flush error the task already failed with. Nothing is lost by not
 * rethrowing it: records are flushed (and errors raised) at every checkpoint and at end of input,
 * both before {@code close()}; whatever sat in the batch of a failed task is replayed from the last
 * checkpoint, and every statement here is an idempotent upsert.
 */
public final class AtLeastOnceJdbcSink<T>
        implements Sink<T>, SupportsWriterState<T, JdbcWriterState>, SupportsCommitter<JdbcCommitable> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceJdbcSink.class);

    private final JdbcSink<T> delegate;

    public AtLeastOnceJdbcSink(JdbcSink<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public StatefulSinkWriter<T, JdbcWriterState> createWriter(WriterInitContext context) throws IOException {
        return new Writer<>(delegate.createWriter(context));
    }

    @Override
    public StatefulSinkWriter<T, JdbcWriterState> restoreWriter(WriterInitContext context, Collection<JdbcWriterState> state)
            throws IOException {
        return new Writer<>(delegate.restoreWriter(context, state));
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context) throws IOException {
        return delegate.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    static final class Writer<T> implements StatefulSinkWriter<T, JdbcWriterState>, CommittingSinkWriter<T, JdbcCommitable> {
        private final org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter<T> delegate;

        Writer(org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            delegate.write(element, context);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            delegate.writeWatermark(watermark);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            delegate.flush(endOfInput);
        }

        @Override
        public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
            return delegate.prepareCommit();
        }

        @Override
        public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void close() {
            try {
                delegate.close();
            } catch (Exception e) {
                LOG.warn("closing the JDBC writer: {} (its unflushed batch is replayed from the last checkpoint)", e.toString());
            }
        }
    }
}
