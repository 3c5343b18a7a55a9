package dev.prtelemetry.recorder.cli;

import dev.prtelemetry.schemas.json.CanonicalJson;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "canon", footer = {"", "Example:", "  echo '{\"b\":1,\"a\":[1.50,\"\\u00e9\"]}' | prt canon      # {\"a\":[1.5,\"é\"],\"b\":1}"}, description = "Reads JSON on stdin and writes its RFC 8785 canonical form (no trailing newline). Refuses duplicate keys, lone surrogates and numbers outside the IEEE-754 range.")
final class CanonCommand implements Callable<Integer> {
    @ParentCommand
    PrtCommand root;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            byte[] canonical = CanonicalJson.canonicalBytes(StrictJson.parse(root.stdin()));
            PrintWriter out = spec.commandLine().getOut();
            out.print(new String(canonical, StandardCharsets.UTF_8));
            out.flush();
            return ExitCodes.OK;
        } catch (CanonicalizationException e) {
            spec.commandLine().getErr().println("prt canon: " + e.getMessage());
            return ExitCodes.INVALID;
        }
    }
}
