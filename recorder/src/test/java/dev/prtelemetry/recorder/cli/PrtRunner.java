package dev.prtelemetry.recorder.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs {@code prt} in-process, as the shell would, capturing its exit code and output. */
final class PrtRunner {
    record Result(int exitCode, String out, String err) {
        String line() {
            return out.strip();
        }
    }

    static Result run(String... args) {
        return runWithStdin("", args);
    }

    static Result runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrtCommand root = new PrtCommand().withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        var cl = PrtCommand.commandLine(root);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private PrtRunner() {
    }
}
