package dev.prtelemetry.qa.judging;

import java.util.Map;

/** Judges by name, configured from options or the environment. */
public final class Judges {
    private Judges() {
    }

    static Double price(String s) {
        return s == null || s.isBlank() ? null : Double.valueOf(s);
    }

    public static Judge create(String name, String baseUrl, String model, String apiKeyEnv, Map<String, String> env) {
        return switch (name) {
            case "heuristic", HeuristicJudge.ID -> new HeuristicJudge();
            case "llm" -> new LlmJudge(LlmJudge.Config.of(
                    baseUrl != null ? baseUrl : env.getOrDefault("PRT_LLM_BASE_URL", "https://api.openai.com/v1"),
                    model != null ? model : env.getOrDefault("PRT_LLM_MODEL", "gpt-4o-mini"),
                    env.get(apiKeyEnv == null ? "OPENAI_API_KEY" : apiKeyEnv))
                    .withPrices(price(env.get("PRT_LLM_PRICE_PROMPT_PER_M")), price(env.get("PRT_LLM_PRICE_COMPLETION_PER_M"))));
            default -> throw new IllegalArgumentException("unknown judge '" + name + "' (heuristic, llm)");
        };
    }
}
