package dev.prtelemetry.recorder.cli;

import dev.prtelemetry.schemas.integrity.ChainVerdict;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import dev.prtelemetry.schemas.validation.Violation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verify", footer = {"", "Examples:", "  prt verify examples/dates-leap-day/trace.json", "  prt verify --schema examples/cart-discount/trace"}, description = "Checks a trace's hash chain: an assembled trace document, or a folder of chunk files. Prints 'OK <n> events head=<hex> merkle=<hex>' and exits 0, or names the first bad seq and why (tampered, missing, reordered, duplicate, bad-genesis, bad-ref, malformed, bad-integrity) and exits 1.")
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TraceSource source;

    @Option(names = "--schema", description = "also validate against the trace format v1 JSON Schemas")
    boolean schema;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TraceInput input;
        try {
            input = source.load();
        } catch (TraceInput.BadInput e) {
            out.println("FAIL malformed: " + e.getMessage());
            return ExitCodes.INVALID;
        }
        int violations = schema ? printViolations(input, out) : 0;
        ChainVerdict verdict = input.verifyChain();
        out.println(verdict.summary());
        if (verdict.intact() && input.isDocument() && "server".equals(input.document().path("integrity").path("chain").asText())) {
            // format v0: the client sent no hashes; the assembly chained the events (and kept each original) on arrival
            out.println("chain: server — format v0 events, translated and chained by the server as they arrived (each"
                    + " translation checked against its v0_event): nothing changed after arrival; what happened before is"
                    + " the client's word");
        }
        return verdict.intact() && violations == 0 ? ExitCodes.OK : ExitCodes.INVALID;
    }

    /** Prints every schema violation as {@code <file>: <pointer>: <message>}; returns how many. */
    static int printViolations(TraceInput input, PrintWriter out) {
        int count = 0;
        if (input.isDocument()) {
            count += print(input.path(), TraceSchemas.get().validate(SchemaName.TRACE, input.document()), out);
        } else {
            for (int i = 0; i < input.chunks().size(); i++) {
                count += print(input.chunkFiles().get(i),
                        TraceSchemas.get().validate(SchemaName.CHUNK, input.chunks().get(i)), out);
            }
        }
        return count;
    }

    private static int print(Path file, List<Violation> violations, PrintWriter out) {
        for (Violation v : violations) {
            out.println(file + ": " + v);
        }
        return violations.size();
    }
}
