package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Git;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.redaction.RedactionSelfTest;
import dev.prtelemetry.schemas.redaction.Redactor;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "redact", sortOptions = false,
        description = {"Prints text with its secrets replaced by [REDACTED:<rule>] (the recorder's rule set, "
                + "schemas/…/redaction/rules-v1.json), reading the files or stdin; each finding (file, line, column range, "
                + "rule) goes to stderr, or with --json everything is one JSON object on stdout. Exit 1 when anything was "
                + "found. --self-test seeds a made-up secret of every rule into a diff, a command, an output and a note "
                + "(recall per rule) and scans a source tree for false positives."},
        footer = {"", "Examples:", "  git diff | prt redact", "  prt redact --json .env config.yml",
            "  prt redact --self-test --tree ."})
final class RedactCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FILE")
    List<Path> files = List.of();
    @Option(names = "--json", description = "one JSON object: files [{file, redacted, findings [{rule, line, columns}]}]")
    boolean json;
    @Option(names = "--self-test", description = "the canary check: recall per rule, false positives in --tree")
    boolean selfTest;
    @Option(names = "--tree", paramLabel = "DIR", description = "the source tree to scan with --self-test (default: this git repository)")
    Path tree;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Redactor redactor = Recorder.redactor();
        if (selfTest) {
            return selfTest(redactor, out);
        }
        ObjectNode report = StrictJson.mapper().createObjectNode();
        ArrayNode reported = report.putArray("files");
        int found = 0;
        if (files.isEmpty()) {
            found += one(redactor, "-", new String(System.in.readAllBytes(), StandardCharsets.UTF_8), reported, out, err);
        }
        for (Path f : files) {
            found += one(redactor, f.toString(), Files.readString(f), reported, out, err);
        }
        if (json) {
            out.println(report.toPrettyString());
        }
        return found > 0 ? ExitCodes.INVALID : ExitCodes.OK;
    }

    private int one(Redactor r, String name, String text, ArrayNode reported, PrintWriter out, PrintWriter err) {
        List<Redactor.Finding> findings = r.find(text);
        ObjectNode f = reported.addObject();
        f.put("file", name);
        f.put("redacted", r.redact(text).text());
        ArrayNode list = f.putArray("findings");
        for (Redactor.Finding x : findings) {
            int line = 1 + (int) text.substring(0, x.start()).chars().filter(c -> c == '\n').count();
            int lineStart = text.lastIndexOf('\n', x.start() - 1) + 1;
            int from = x.start() - lineStart + 1;
            int to = x.end() - lineStart;
            list.addObject().put("rule", x.rule()).put("line", line).putArray("columns").add(from).add(to);
            if (!json) {
                err.printf("%s:%d:%d-%d %s%n", name, line, from, to, x.rule());
            }
        }
        if (!json) {
            out.print(f.get("redacted").asText());
            out.flush();
        }
        return findings.size();
    }

    private int selfTest(Redactor r, PrintWriter out) throws Exception {
        Path root = tree != null ? tree : Git.findRoot(Path.of(System.getProperty("user.dir")));
        // recall over every rule, the optional ones too; false positives with the rules this deployment runs
        ObjectNode recall = RedactionSelfTest.recall(Redactor.defaults(new byte[] {1}, java.util.Set.copyOf(Redactor.optionalRules())));
        Set<String> fixtures = new HashSet<>();
        ObjectNode scan = null;
        if (root != null) {
            Path list = root.resolve(".prt-redaction-fixtures");
            if (Files.exists(list)) {
                Files.readAllLines(list).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(fixtures::add);
            }
            scan = RedactionSelfTest.scan(r, root, fixtures);
        }
        if (json) {
            ObjectNode all = StrictJson.mapper().createObjectNode();
            all.set("recall", recall);
            if (scan != null) {
                all.set("scan", scan);
            }
            out.println(all.toPrettyString());
        } else {
            out.printf("recall on the seeded set: %d/%d (%.1f %%) over %d rules × %s%n", recall.get("caught").asInt(),
                    recall.get("seeded").asInt(), 100 * recall.get("recall").asDouble(), recall.get("rules").size(),
                    RedactionSelfTest.CONTEXTS);
            recall.get("rules").fields().forEachRemaining(e -> out.printf("  %-32s %d/%d%s%n", e.getKey(),
                    e.getValue().get("caught").asInt(), e.getValue().get("seeded").asInt(),
                    e.getValue().get("missed").isEmpty() ? "" : "  missed in " + e.getValue().get("missed")));
            if (scan != null) {
                out.printf("false positives in %s: %d (%d text files scanned; findings in %d declared fixture files: %s)%n", root,
                        scan.get("false_positives").size(), scan.get("files_scanned").asInt(), scan.get("fixture_findings").size(),
                        scan.get("fixture_findings"));
                for (JsonNode fp : scan.get("false_positives")) {
                    out.printf("  %s:%d %s%n", fp.get("file").asText(), fp.get("line").asInt(), fp.get("rule").asText());
                }
            }
        }
        boolean perfect = recall.get("caught").asInt() == recall.get("seeded").asInt()
                && (scan == null || scan.get("false_positives").isEmpty());
        return perfect ? ExitCodes.OK : ExitCodes.INVALID;
    }
}
