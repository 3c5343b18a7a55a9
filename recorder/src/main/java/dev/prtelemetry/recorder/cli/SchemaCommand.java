package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.validation.SchemaName;
import dev.prtelemetry.schemas.validation.TraceSchemas;
import dev.prtelemetry.schemas.validation.Violation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "schema", footer = {"", "Examples:", "  prt schema list", "  prt schema validate examples/dates-leap-day/trace/chunk-000000.json"}, description = "The trace format v1 JSON Schemas.",
        subcommands = {SchemaCommand.Validate.class, SchemaCommand.Show.class, SchemaCommand.ListSchemas.class})
final class SchemaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "validate", footer = {"", "Example:", "  prt schema validate --as chunk my-chunk.json"}, description = "Validates JSON files against the schemas and lists every violation as '<file>: <JSON Pointer>: <message>'. The schema is guessed from the document's shape (trace document, chunk, event, create-trace or completion request) unless --as names it. A folder is validated file by file. Exits 0 when all are valid, 1 otherwise.")
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", arity = "1..*", description = "JSON files or folders of them")
        List<Path> paths;

        @Option(names = "--as", paramLabel = "SCHEMA", description = "schema to use, e.g. chunk, trace, event")
        String as;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            SchemaName forced = as == null ? null : SchemaName.parse(as);
            int problems = 0;
            int files = 0;
            for (Path path : paths) {
                for (Path file : expand(path, out)) {
                    files++;
                    problems += validate(file, forced, out);
                }
            }
            if (files == 0) {
                out.println("no JSON files found");
                return ExitCodes.INVALID;
            }
            if (problems == 0) {
                out.println("OK " + files + (files == 1 ? " file" : " files") + " valid");
                return ExitCodes.OK;
            }
            return ExitCodes.INVALID;
        }

        private static int validate(Path file, SchemaName forced, PrintWriter out) {
            JsonNode json;
            try {
                json = TraceInput.read(file);
            } catch (TraceInput.BadInput e) {
                out.println(e.getMessage());
                return 1;
            }
            SchemaName schema = forced != null ? forced : guess(json);
            if (schema == null) {
                out.println(file + ": cannot tell which schema applies; use --as");
                return 1;
            }
            List<Violation> violations = TraceSchemas.get().validate(schema, json);
            for (Violation v : violations) {
                out.println(file + ": " + v);
            }
            return violations.size();
        }

        /** The schema a document's shape says it is, or null. */
        static SchemaName guess(JsonNode json) {
            if (json.isTextual()) {
                return SchemaName.ARTIFACT_REF;
            }
            if (!json.isObject()) {
                return null;
            }
            if (json.has("trace_version") || (json.has("trace_id") && json.has("events") && !json.has("chunk_seq"))) {
                return SchemaName.TRACE;
            }
            if (json.has("chunk_seq") || json.has("chunk_id")) {
                return SchemaName.CHUNK;
            }
            if (json.has("final_seq") || json.has("chain_head")) {
                return SchemaName.COMPLETE_REQUEST;
            }
            if (json.has("participant_id") || json.has("consent")) {
                return SchemaName.CREATE_TRACE_REQUEST;
            }
            if (json.has("type") && json.has("payload")) {
                return SchemaName.EVENT;
            }
            return null;
        }

        private static List<Path> expand(Path path, PrintWriter out) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> list = Files.list(path)) {
                    return list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
                } catch (IOException e) {
                    out.println(path + ": " + e.getMessage());
                    return List.of();
                }
            }
            if (!Files.exists(path)) {
                out.println(path + ": no such file");
                return List.of();
            }
            return List.of(path);
        }
    }

    @Command(name = "show", footer = {"", "Example:", "  prt schema show event"}, description = "Prints a schema, e.g. 'prt schema show chunk'.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "SCHEMA")
        String name;

        @Override
        public Integer call() throws Exception {
            JsonNode schema = TraceSchemas.schemaDocument(SchemaName.parse(name));
            spec.commandLine().getOut().println(StrictJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(schema));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", footer = {"", "Example:", "  prt schema list"}, description = "Lists the schemas and their $id.")
    static final class ListSchemas implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            for (SchemaName s : SchemaName.values()) {
                spec.commandLine().getOut().printf("%-22s %s%n", s.baseName(), s.id());
            }
            return ExitCodes.OK;
        }
    }
}
