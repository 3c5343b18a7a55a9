package dev.prtelemetry.qa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.judging.Judge;
import dev.prtelemetry.qa.judging.Judgement;
import dev.prtelemetry.qa.judging.Judges;
import dev.prtelemetry.schemas.json.StrictJson;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "judge", sortOptions = false,
        description = {"Scores a trace document's debugging process on a rubric, without the stack: the heuristic judge "
                + "(offline, deterministic) or an LLM judge on any OpenAI-compatible server. The overall score is the "
                + "rubric's weighted sum, computed here. Exit 0 scored, 2 the judge could not score."},
        footer = {"", "Examples:", "  prt qa judge examples/cart-discount/trace.json",
            "  prt qa judge trace.json --judge llm --base-url http://127.0.0.1:11434/v1 --model qwen2.5:7b --json",
            "  prt qa judge trace.json --rubric debugging@2"})
final class JudgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "an assembled trace document")
    Path trace;
    @Option(names = "--judge", defaultValue = "heuristic", description = "heuristic | llm (default: ${DEFAULT-VALUE})")
    String judge;
    @Option(names = "--rubric", defaultValue = "debugging@1", paramLabel = "ID@VERSION", description = "(default: ${DEFAULT-VALUE})")
    String rubric;
    @Option(names = "--base-url", description = "an OpenAI-compatible API (default: PRT_LLM_BASE_URL, else https://api.openai.com/v1)")
    String baseUrl;
    @Option(names = "--model", description = "the model (default: PRT_LLM_MODEL, else gpt-4o-mini)")
    String model;
    @Option(names = "--api-key-env", defaultValue = "OPENAI_API_KEY", paramLabel = "VAR", description = "the variable holding the API key (default: ${DEFAULT-VALUE})")
    String apiKeyEnv;
    @Option(names = "--json", description = "print {judge, rubric, scores: {<dimension>: {score, justification, evidence}}, overall, error?}")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode doc = StrictJson.parse(Files.readAllBytes(trace));
        Rubric r = Rubric.load(rubric);
        Judge j = Judges.create(judge, baseUrl, model, apiKeyEnv, System.getenv());
        Judgement result = j.judge(doc, r);
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode n = result.toJson(r);
        if (json) {
            out.println(n.toPrettyString());
        } else {
            out.printf("%s on %s: overall %s%n", result.judge(), result.rubric(), result.overall() == null ? "—" : String.format("%.2f / 5", result.overall()));
            if (result.error() != null) {
                out.println("  error: " + result.error());
            }
            for (Rubric.Dimension d : r.dimensions()) {
                Judgement.Score s = result.scores().get(d.id());
                if (s != null) {
                    out.printf("  %-22s %d  (weight %.2f) %s%n      evidence: %s%n", d.name(), s.score(), d.weight(), s.justification(), s.evidence());
                }
            }
        }
        return result.error() == null ? ExitCodes.OK : ExitCodes.USAGE;
    }
}
