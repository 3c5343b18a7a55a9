package dev.prtelemetry.flink.assembly;

import dev.prtelemetry.schemas.redaction.Redactor;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-side redaction of a deployment: on unless switched off, the default rule set plus the
 * optional rules named (e-mail, IP addresses), fingerprints keyed with the deployment's key
 * (the same key as the recorders' {@code PRT_REDACTION_KEY}, so one secret has one fingerprint).
 *
 * <p>Environment: {@code PRT_REDACTION} ({@code on}|{@code off}), {@code PRT_REDACTION_OPTIONAL}
 * (comma-separated rule ids, e.g. {@code email-address,ipv4-address}), {@code PRT_REDACTION_KEY}.
 */
public record RedactionSettings(boolean enabled, List<String> optionalRules, String key) implements Serializable {
    public static final String DEFAULT_KEY = "prt-redaction-fingerprint-v1";

    public RedactionSettings {
        optionalRules = List.copyOf(optionalRules);
        if (enabled) {
            Redactor.defaults(key.getBytes(StandardCharsets.UTF_8), Set.copyOf(optionalRules)); // unknown rule names fail at start
        }
    }

    public static RedactionSettings defaults() {
        return new RedactionSettings(true, List.of(), DEFAULT_KEY);
    }

    public static RedactionSettings fromEnv(Map<String, String> env) {
        String mode = env.getOrDefault("PRT_REDACTION", "on").trim();
        if (!mode.equals("on") && !mode.equals("off")) {
            throw new IllegalArgumentException("PRT_REDACTION is on or off, not '" + mode + "'");
        }
        List<String> optional = Arrays.stream(env.getOrDefault("PRT_REDACTION_OPTIONAL", "").split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).toList();
        return new RedactionSettings(mode.equals("on"), optional, env.getOrDefault("PRT_REDACTION_KEY", DEFAULT_KEY));
    }

    @Override
    public String toString() {
        return "RedactionSettings[enabled=" + enabled + ", optionalRules=" + optionalRules + ", key=(hidden)]";
    }

    public Redactor redactor() {
        return Redactor.defaults(key.getBytes(StandardCharsets.UTF_8), Set.copyOf(optionalRules));
    }
}
