package dev.prtelemetry.recorder.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.recorder.session.Background;
import dev.prtelemetry.recorder.session.Recorder;
import dev.prtelemetry.recorder.session.Workspace;
import dev.prtelemetry.recorder.session.WorkingTree;
import dev.prtelemetry.schemas.json.StrictJson;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "note", sortOptions = false,
        description = {"Records a reasoning note: plan, hypothesis, observation, decision or next (next step). "
                + "--ref cites earlier events, by id (ev-12) or by shortcut: last-test, last-run, last-edit, "
                + "last-commit, last-note, last. Prints the note's event id."},
        footer = {"", "Examples:", "  prt note hypothesis \"is_leap uses 'or' where the rule needs 'and'\"",
            "  prt note observation \"test_leap_day fails: 1900 counted as leap\" --ref last-test",
            "  prt note decision \"fix the operator, keep the API\" --ref ev-3 --ref last-edit"})
final class NoteCommand implements Callable<Integer> {
    static final Map<String, String> KINDS = Map.of("plan", "plan", "hypothesis", "hypothesis", "observation", "observation",
            "decision", "decision", "next", "next_step", "next_step", "next_step", "next-step", "next_step");
    static final Map<String, String> SHORTCUTS = Map.of("last-test", "test", "last-run", "run", "last-edit", "edit",
            "last-commit", "commit", "last-note", "note", "last", "event");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND", description = "plan | hypothesis | observation | decision | next")
    String kind;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TEXT", description = "the note (several words are joined)")
    List<String> text;
    @Option(names = "--ref", paramLabel = "EVENT", description = "an event this note relies on (repeatable)")
    List<String> refs = List.of();

    @Override
    public Integer call() throws Exception {
        String wire = KINDS.get(kind);
        if (wire == null) {
            spec.commandLine().getErr().println("prt note: the kind is one of plan, hypothesis, observation, decision, next; not '" + kind + "'");
            return ExitCodes.USAGE;
        }
        String body = String.join(" ", text).strip();
        if (body.isEmpty()) {
            spec.commandLine().getErr().println("prt note: the note is empty");
            return ExitCodes.USAGE;
        }
        Workspace ws = Workspace.around(Path.of(System.getProperty("user.dir")));
        String id;
        try (Recorder rec = Recorder.open(ws)) {
            WorkingTree.scan(rec, 0); // a note may cite the edit just saved
            Set<String> resolved = new LinkedHashSet<>();
            for (String r : refs) {
                String target;
                if (SHORTCUTS.containsKey(r)) {
                    target = rec.last(SHORTCUTS.get(r));
                    if (target == null) {
                        spec.commandLine().getErr().println("prt note: --ref " + r + ": there is no such event yet in this session");
                        return ExitCodes.USAGE;
                    }
                } else if (r.matches("ev-\\d+") && Long.parseLong(r.substring(3)) < rec.nextSeq()) {
                    target = r;
                } else {
                    spec.commandLine().getErr().println("prt note: --ref " + r + " is not an earlier event of this session "
                            + "(ids are ev-0 … ev-" + (rec.nextSeq() - 1) + "; shortcuts: " + String.join(", ", SHORTCUTS.keySet()) + ")");
                    return ExitCodes.USAGE;
                }
                resolved.add(target);
            }
            ObjectNode p = StrictJson.mapper().createObjectNode();
            p.put("kind", wire);
            p.put("text", body.length() > 8192 ? body.substring(0, 8192) : body);
            if (!resolved.isEmpty()) {
                ArrayNode a = p.putArray("refs");
                resolved.forEach(a::add);
            }
            id = rec.record("rationale_note", p).get("id").asText();
        }
        Background.upload(ws, System.getenv());
        spec.commandLine().getOut().println(id);
        return ExitCodes.OK;
    }
}
