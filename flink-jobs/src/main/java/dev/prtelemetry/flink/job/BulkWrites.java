package dev.prtelemetry.flink.job;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Writes a whole byte array through a Flink filesystem stream in one call. The presto S3
 * filesystem's output stream ({@code PrestoS3OutputStream}) is a {@link FilterOutputStream} that
 * does not override {@code write(byte[], int, int)}, so the JDK's default writes every byte with a
 * separate synchronized {@code write(int)} into the temp file it uploads on close — measured as a
 * fifth of the stack JVM's CPU at full ingest rate (JFR, 2 000-event documents). When the stream
 * under Flink's and Hadoop's wrappers is such a filter, the bytes go to the stream it filters (its
 * {@code write(int)} only passes bytes on, so nothing is skipped; a filter that overrides either write
 * is always written through); anything else, or a JVM that does
 * not open {@code java.io} to reflection, gets the plain write.
 */
public final class BulkWrites {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BulkWrites.class);
    private static volatile boolean warned;

    private BulkWrites() {
    }

    public static void writeAll(OutputStream os, byte[] bytes) throws IOException {
        OutputStream target = bulkTarget(os);
        (target != null ? target : os).write(bytes);
    }

    /** The stream a byte-by-byte filter at the bottom of {@code os}'s wrappers writes to, or null. */
    static OutputStream bulkTarget(OutputStream os) {
        Object current = os;
        // Flink's HadoopDataOutputStream → Hadoop's FSDataOutputStream → the filesystem's own stream
        current = call(current, "getHadoopOutputStream");
        current = call(current, "getWrappedStream");
        if (!(current instanceof FilterOutputStream filter) || overridesBulkWrite(filter.getClass())) {
            return null;
        }
        try {
            Field out = FilterOutputStream.class.getDeclaredField("out");
            out.setAccessible(true);
            return (OutputStream) out.get(filter);
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.info("{} writes byte by byte and its target cannot be reached ({}); documents are written the slow way"
                        + " (open java.io to reflection: --add-opens=java.base/java.io=ALL-UNNAMED)", filter.getClass().getName(), e.toString());
            }
            return null;
        }
    }

    /** Whether the filter does anything of its own with the bytes (then it is always written through). */
    static boolean overridesBulkWrite(Class<?> type) {
        try {
            return type.getMethod("write", byte[].class, int.class, int.class).getDeclaringClass() != FilterOutputStream.class
                    || type.getMethod("write", int.class).getDeclaringClass() != FilterOutputStream.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    private static Object call(Object target, String method) {
        try {
            Method m = target.getClass().getMethod(method);
            m.setAccessible(true);
            Object result = m.invoke(target);
            return result != null ? result : target;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return target; // not that wrapper: look at what we have
        }
    }
}
