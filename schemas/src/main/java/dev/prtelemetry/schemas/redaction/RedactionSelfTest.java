package dev.prtelemetry.schemas.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * The redaction canary check: every rule's made-up secret ({@code canaries-v1.json}) seeded into
 * a diff, a command line, a command's output and a note must be gone from the redacted text
 * (recall per rule); and scanning a source tree must find nothing outside the files that hold
 * fake secrets on purpose (false positives).
 */
public final class RedactionSelfTest {
    public static final List<String> CONTEXTS = List.of("diff", "command", "output", "note");

    private RedactionSelfTest() {
    }

    public record Canary(String rule, String line) {
    }

    public static List<Canary> canaries() {
        try (InputStream in = RedactionSelfTest.class.getResourceAsStream("/prt/redaction/canaries-v1.json")) {
            List<Canary> out = new ArrayList<>();
            for (JsonNode c : StrictJson.parse(in.readAllBytes()).path("canaries")) {
                out.add(new Canary(c.get("rule").asText(), c.get("line").asText()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The canary line placed the way it would appear in each kind of recorded text. */
    public static String embed(String context, String line) {
        return switch (context) {
            case "diff" -> "--- a/config/settings.py\n+++ b/config/settings.py\n@@ -1,3 +1,4 @@\n import os\n"
                    + line.lines().map(l -> "+" + l).reduce((a, b) -> a + "\n" + b).orElse("") + "\n DEBUG = False\n";
            case "command" -> "printf '%s\\n' '" + line.replace("'", "'\\''") + "' >> .env";
            case "output" -> "Traceback (most recent call last):\n  File \"app.py\", line 12, in <module>\n"
                    + "ValueError: refusing configuration: " + line + "\n";
            case "note" -> "The failing request was made with " + line + " - that looks like the cause.";
            default -> throw new IllegalArgumentException(context);
        };
    }

    /**
     * Every canary as a recorder that did not redact would send it (unchained: no seq or hashes):
     * per canary a file edit whose diff adds the line, a command that writes it and prints it, and a
     * note that quotes it — the four contexts of {@link #CONTEXTS} in three events.
     */
    public static List<ObjectNode> seededEvents() {
        List<ObjectNode> out = new ArrayList<>();
        double t = 1764000000;
        int n = 0;
        for (Canary c : canaries()) {
            ObjectNode edit = StrictJson.mapper().createObjectNode();
            edit.put("id", "ev-" + n++).put("ts_client_s", t += 1).put("type", "file_edit");
            String diff = embed("diff", c.line());
            edit.putObject("payload").put("path", "config/settings.py")
                    .put("before_sha256", dev.prtelemetry.schemas.integrity.Sha256.hex(dev.prtelemetry.schemas.integrity.Sha256.digest(
                            ("import os\nDEBUG = False\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                    .put("after_sha256", dev.prtelemetry.schemas.integrity.Sha256.hex(dev.prtelemetry.schemas.integrity.Sha256.digest(
                            diff.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                    .put("diff", diff);
            ObjectNode cmd = StrictJson.mapper().createObjectNode();
            cmd.put("id", "ev-" + n++).put("ts_client_s", t += 1).put("type", "cmd_run");
            cmd.putObject("payload").put("command", embed("command", c.line())).put("cwd", ".").put("exit_code", 1)
                    .put("duration_s", 0.25).put("output_excerpt", embed("output", c.line()));
            ObjectNode note = StrictJson.mapper().createObjectNode();
            note.put("id", "ev-" + n++).put("ts_client_s", t += 1).put("type", "rationale_note");
            note.putObject("payload").put("kind", "observation").put("text", embed("note", c.line()));
            out.add(edit);
            out.add(cmd);
            out.add(note);
        }
        return out;
    }

    /** The secret part of a canary under the rule set with every optional rule, for checks that it is gone. */
    public static String secretOf(Canary c) {
        return secretOf(Redactor.defaults(new byte[] {1}, Set.copyOf(Redactor.optionalRules())), c);
    }

    /**
     * What must never be found in a store after {@link #seededEvents} went through redaction: each
     * canary's secret (a multi-line one — a key block — by its longest line, since a diff prefixes each line).
     */
    public static List<String> seededSecrets() {
        Redactor all = Redactor.defaults(new byte[] {1}, Set.copyOf(Redactor.optionalRules()));
        List<String> out = new ArrayList<>();
        for (Canary c : canaries()) {
            String s = secretOf(all, c);
            out.add(s.lines().max(java.util.Comparator.comparingInt(String::length)).orElse(s));
        }
        return out;
    }

    /** The secret part of a canary: the rule's own pattern on the bare line. */
    static String secretOf(Redactor r, Canary c) {
        Redactor.Rule rule = r.rules().stream().filter(x -> x.id().equals(c.rule())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no rule " + c.rule()));
        Matcher m = rule.pattern().matcher(c.line());
        if (!m.find()) {
            throw new IllegalStateException("canary of " + c.rule() + " does not match its own rule");
        }
        return rule.pattern().pattern().contains("(?<secret>") ? m.group("secret") : m.group();
    }

    /** Recall per rule of {@code r} (canaries of rules it does not have are left out): {rule: {seeded, caught, missed: [contexts]}} plus totals. */
    public static ObjectNode recall(Redactor r) {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        ObjectNode perRule = out.putObject("rules");
        int seeded = 0;
        int caught = 0;
        Set<String> has = new java.util.HashSet<>();
        r.rules().forEach(x -> has.add(x.id()));
        for (Canary c : canaries()) {
            if (!has.contains(c.rule())) {
                continue;
            }
            String secret = secretOf(r, c);
            ObjectNode n = perRule.putObject(c.rule());
            ArrayNode missed = n.putArray("missed");
            int ok = 0;
            for (String ctx : CONTEXTS) {
                String text = embed(ctx, c.line());
                String redacted = r.redact(text).text();
                boolean fired = r.find(text).stream().anyMatch(f -> f.rule().equals(c.rule()));
                if (!redacted.contains(secret) && fired) {
                    ok++;
                } else {
                    missed.add(ctx);
                }
            }
            n.put("seeded", CONTEXTS.size());
            n.put("caught", ok);
            n.put("recall", ok / (double) CONTEXTS.size());
            seeded += CONTEXTS.size();
            caught += ok;
        }
        out.put("seeded", seeded);
        out.put("caught", caught);
        out.put("recall", caught / (double) seeded);
        return out;
    }

    /**
     * Findings in a tree's text files (not .git, target, node_modules, .prt, .prt-data):
     * false positives, except in {@code fixtures} (files that hold fake secrets on purpose).
     */
    public static ObjectNode scan(Redactor r, Path root, Set<String> fixtures) throws IOException {
        ObjectNode out = StrictJson.mapper().createObjectNode();
        ArrayNode fps = out.putArray("false_positives");
        Map<String, Integer> inFixtures = new LinkedHashMap<>();
        int files = 0;
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(Files::isRegularFile).filter(p -> !skipped(root.relativize(p))).sorted().toList();
        }
        for (Path p : all) {
            String text = text(p);
            if (text == null) {
                continue;
            }
            files++;
            String rel = root.relativize(p).toString();
            for (Redactor.Finding f : r.find(text)) {
                if (fixtures.contains(rel)) {
                    inFixtures.merge(rel, 1, Integer::sum);
                    continue;
                }
                int line = 1 + (int) text.substring(0, f.start()).chars().filter(ch -> ch == '\n').count();
                fps.addObject().put("file", rel).put("line", line).put("rule", f.rule());
            }
        }
        out.put("files_scanned", files);
        ObjectNode fx = out.putObject("fixture_findings");
        inFixtures.forEach(fx::put);
        return out;
    }

    static boolean skipped(Path rel) {
        for (Path part : rel) {
            String s = part.toString();
            if (s.equals(".git") || s.equals("target") || s.equals("node_modules") || s.equals(".prt") || s.equals(".prt-data")
                    || s.equals("__pycache__")) {
                return true;
            }
        }
        return false;
    }

    static String text(Path p) {
        try {
            if (Files.size(p) > 2_000_000) {
                return null;
            }
            byte[] bytes = Files.readAllBytes(p);
            for (byte b : bytes) {
                if (b == 0) {
                    return null;
                }
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
