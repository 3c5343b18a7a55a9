package dev.prtelemetry.recorder.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The PATH argument and {@code --trace-id} option of every command that reads a trace. */
final class TraceSource {
    @Parameters(index = "0", paramLabel = "PATH", description = "trace document (.json) or folder of chunk files")
    Path path;

    @Option(names = "--trace-id", description = "trace id, for chunks that do not name it")
    String traceId;

    TraceInput load() throws TraceInput.BadInput {
        return TraceInput.load(path, traceId);
    }
}
