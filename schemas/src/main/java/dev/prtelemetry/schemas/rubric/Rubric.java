package dev.prtelemetry.schemas.rubric;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A versioned rubric, kept as data ({@code prt/rubrics/<id>-v<version>.json}): dimensions with
 * weights (summing to 1), what each is about and what each score 0–5 means. The overall score
 * is computed here from the weights — never taken from a judge.
 */
public record Rubric(String id, int version, String title, List<Dimension> dimensions) {
    public record Dimension(String id, String name, double weight, String description, Map<String, String> levels) {
    }

    /** {@code id@version}, e.g. {@code debugging@1}. */
    public String key() {
        return id + "@" + version;
    }

    /** Σ weight × score over the dimensions (scores 0–5, so the overall is 0–5 too). */
    public double overall(Map<String, Integer> scores) {
        double sum = 0;
        for (Dimension d : dimensions) {
            Integer s = scores.get(d.id());
            if (s == null) {
                throw new IllegalArgumentException("no score for dimension " + d.id());
            }
            sum += d.weight() * s;
        }
        return Math.round(sum * 1000) / 1000.0;
    }

    /** Loads {@code debugging@1}, {@code debugging-v2} or {@code debugging} (the newest bundled version). */
    public static Rubric load(String spec) {
        String id = spec;
        int version = -1;
        if (spec.contains("@")) {
            id = spec.substring(0, spec.indexOf('@'));
            version = Integer.parseInt(spec.substring(spec.indexOf('@') + 1));
        } else if (spec.matches(".*-v\\d+")) {
            id = spec.substring(0, spec.lastIndexOf("-v"));
            version = Integer.parseInt(spec.substring(spec.lastIndexOf("-v") + 2));
        }
        if (version < 0) {
            for (int v = 1; v < 100; v++) {
                if (Rubric.class.getResource("/prt/rubrics/" + id + "-v" + v + ".json") != null) {
                    version = v;
                }
            }
        }
        try (InputStream in = Rubric.class.getResourceAsStream("/prt/rubrics/" + id + "-v" + version + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no rubric " + spec + " (bundled: debugging@1, debugging@2)");
            }
            return fromJson(StrictJson.parse(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Rubric fromJson(JsonNode n) {
        List<Dimension> dims = new ArrayList<>();
        double total = 0;
        for (JsonNode d : n.path("dimensions")) {
            Map<String, String> levels = new LinkedHashMap<>();
            d.path("levels").fields().forEachRemaining(e -> levels.put(e.getKey(), e.getValue().asText()));
            dims.add(new Dimension(d.get("id").asText(), d.get("name").asText(), d.get("weight").asDouble(),
                    d.path("description").asText(), levels));
            total += d.get("weight").asDouble();
        }
        if (dims.isEmpty() || Math.abs(total - 1.0) > 1e-6) {
            throw new IllegalArgumentException("a rubric's dimension weights must sum to 1, not " + total);
        }
        return new Rubric(n.get("id").asText(), n.get("version").asInt(), n.path("title").asText(), List.copyOf(dims));
    }
}
