package dev.prtelemetry.qa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.judging.Agreement;
import dev.prtelemetry.qa.judging.Judge;
import dev.prtelemetry.qa.judging.Judgement;
import dev.prtelemetry.qa.judging.Judges;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "agreement", sortOptions = false,
        description = {"Scores trace documents with several judges (an ensemble) and reports, per trace and dimension, the "
                + "judges' mean and spread, and how far the judges agree over all of them: Krippendorff's alpha "
                + "(interval metric; 1 = perfect, 0 = chance)."},
        footer = {"", "Example:", "  prt qa agreement --judge heuristic --judge llm --base-url http://127.0.0.1:11434/v1 "
                + "--model qwen2.5:7b examples/*/trace.json"})
final class AgreementCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--judge", description = "a judge of the ensemble (repeat; at least two): heuristic, llm")
    List<String> judges = new ArrayList<>();
    @Option(names = "--rubric", defaultValue = "debugging@1", paramLabel = "ID@VERSION")
    String rubric;
    @Option(names = "--base-url", description = "the LLM judge's OpenAI-compatible API")
    String baseUrl;
    @Option(names = "--model", description = "the LLM judge's model")
    String model;
    @Option(names = "--api-key-env", defaultValue = "OPENAI_API_KEY", paramLabel = "VAR")
    String apiKeyEnv;
    @Option(names = "--json", description = "one JSON object: alpha, per-dimension alpha, per trace the judges' scores, mean and spread")
    boolean json;
    @Parameters(arity = "1..*", paramLabel = "TRACE")
    List<Path> traces;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (judges.size() < 2) {
            spec.commandLine().getErr().println("prt qa agreement: name at least two judges (--judge heuristic --judge llm …)");
            return ExitCodes.USAGE;
        }
        Rubric r = Rubric.load(rubric);
        List<Judge> ensemble = new ArrayList<>();
        for (String j : judges) {
            ensemble.add(Judges.create(j, baseUrl, model, apiKeyEnv, System.getenv()));
        }
        List<String> ids = ensemble.stream().map(Judge::id).toList();
        List<String> dims = r.dimensions().stream().map(Rubric.Dimension::id).toList();
        List<Map<String, Judgement>> perTrace = new ArrayList<>();
        ObjectNode report = StrictJson.mapper().createObjectNode();
        report.put("rubric", r.key());
        var judgesNode = report.putArray("judges");
        ids.forEach(judgesNode::add);
        var tracesNode = report.putArray("traces");
        for (Path t : traces) {
            JsonNode doc = StrictJson.parse(Files.readAllBytes(t));
            Map<String, Judgement> byJudge = new LinkedHashMap<>();
            for (Judge j : ensemble) {
                byJudge.put(j.id(), j.judge(doc, r));
            }
            perTrace.add(byJudge);
            ObjectNode tn = tracesNode.addObject();
            tn.put("trace", t.toString());
            for (Judgement jm : byJudge.values()) {
                if (jm.error() != null) {
                    tn.withArray("errors").add(jm.judge() + ": " + jm.error());
                }
            }
            ObjectNode dn = tn.putObject("dimensions");
            for (String d : dims) {
                Agreement.Spread s = Agreement.spread(List.copyOf(byJudge.values()), d);
                ObjectNode x = dn.putObject(d);
                x.put("mean", s.mean());
                x.put("spread", s.spread());
                var scores = x.putObject("scores");
                byJudge.forEach((id, jm) -> {
                    if (jm.scores().containsKey(d)) {
                        scores.put(id, jm.scores().get(d).score());
                    }
                });
            }
        }
        double alpha = Agreement.alphaInterval(Agreement.units(perTrace, ids, dims));
        report.put("alpha", round(alpha));
        ObjectNode perDim = report.putObject("alpha_by_dimension");
        for (String d : dims) {
            perDim.put(d, round(Agreement.alphaInterval(Agreement.units(perTrace, ids, List.of(d)))));
        }
        if (json) {
            out.println(report.toPrettyString());
        } else {
            out.printf("judges: %s; rubric %s; %d traces%n", String.join(", ", ids), r.key(), traces.size());
            for (JsonNode tn : report.get("traces")) {
                out.println(tn.get("trace").asText());
                tn.path("errors").forEach(e -> out.println("  error: " + e.asText()));
                tn.get("dimensions").fields().forEachRemaining(e -> out.printf("  %-22s mean %.2f spread %.0f %s%n", e.getKey(),
                        e.getValue().get("mean").asDouble(), e.getValue().get("spread").asDouble(), e.getValue().get("scores")));
            }
            out.printf("Krippendorff's alpha (interval): %s%n", Double.isNaN(alpha) ? "n/a (fewer than two scores per unit)"
                    : String.format("%.3f", alpha));
        }
        return ExitCodes.OK;
    }

    static double round(double x) {
        return Double.isNaN(x) ? Double.NaN : Math.round(x * 1000) / 1000.0;
    }
}
