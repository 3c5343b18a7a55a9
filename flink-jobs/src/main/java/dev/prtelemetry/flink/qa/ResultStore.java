package dev.prtelemetry.flink.qa;

import java.io.Serializable;
import java.util.Optional;

/** Where verification results are kept, by (trace id, trace digest, verifier). */
public interface ResultStore extends AutoCloseable {
    Optional<QaResult> find(String traceId, String traceDigest, String verifier) throws Exception;

    /** Makes a store on the task that uses it (stores hold connections; functions are serialized). */
    interface Factory extends Serializable {
        ResultStore open() throws Exception;
    }

    @Override
    default void close() throws Exception {
    }
}
