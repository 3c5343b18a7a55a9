package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.integrity.EventHasher;
import dev.prtelemetry.schemas.json.CanonicalizationException;
import dev.prtelemetry.schemas.json.StrictJson;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "hash", footer = {"", "Examples:", "  head -1 examples/dates-leap-day/trace/events.jsonl | prt hash", "  prt hash --genesis 92fd06c2-d259-430a-99ff-d7846aae42c6"}, description = "Reads one event (a JSON object) on stdin and prints its hash: SHA-256 over the RFC 8785 form of the event without its 'hash' and 'ts_server_s' members. With --genesis TRACE_ID, prints the prev_hash of that trace's first event instead.")
final class HashCommand implements Callable<Integer> {
    @ParentCommand
    PrtCommand root;
    @Spec
    CommandSpec spec;

    @Option(names = "--genesis", paramLabel = "TRACE_ID", description = "print the genesis prev_hash of this trace")
    String genesisOf;

    @Override
    public Integer call() {
        if (genesisOf != null) {
            spec.commandLine().getOut().println(EventHasher.genesis(genesisOf));
            return ExitCodes.OK;
        }
        try {
            JsonNode event = StrictJson.parse(root.stdin());
            if (!event.isObject()) {
                spec.commandLine().getErr().println("prt hash: an event is a JSON object");
                return ExitCodes.INVALID;
            }
            spec.commandLine().getOut().println(EventHasher.hash(event));
            return ExitCodes.OK;
        } catch (CanonicalizationException e) {
            spec.commandLine().getErr().println("prt hash: " + e.getMessage());
            return ExitCodes.INVALID;
        }
    }
}
