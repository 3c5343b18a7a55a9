package dev.prtelemetry.schemas.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prtelemetry.schemas.integrity.Sha256;
import dev.prtelemetry.schemas.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secret redaction by a rule set kept as data ({@code prt/redaction/rules-v1.json}). The
 * recorder runs it over every string of an event's payload before the event is hashed, so a
 * secret never enters the chain or leaves the machine; each redaction is recorded (rule,
 * JSON Pointer, offsets of the placeholder) with a keyed fingerprint of the secret, so the
 * same secret can be recognised across traces without being stored.
 */
public final class Redactor {
    public static final String DEFAULT_RULES = "/prt/redaction/rules-v1.json";

    /** One rule of the set. */
    public record Rule(String id, Pattern pattern, List<String> keywords, List<String> requires, Double minEntropy,
                       boolean requireDigit, Set<String> allow, boolean optional) {
    }

    /** One secret found in a text: its span in the original, the rule that fired. */
    public record Finding(String rule, int start, int end, String secret) {
    }

    /** A text with its secrets replaced, and where the placeholders are in it. */
    public record Result(String text, List<Redaction> redactions) {
    }

    /** A placeholder in the redacted text: {@code [start, end)} and the secret's fingerprint. */
    public record Redaction(String rule, int start, int end, String fingerprint) {
    }

    private final String setId;
    private final String placeholder;
    private final List<Rule> rules;
    private final byte[] fingerprintKey;
    private final KeywordIndex keywordIndex;

    private Redactor(String setId, String placeholder, List<Rule> rules, byte[] fingerprintKey) {
        this.setId = setId;
        this.placeholder = placeholder;
        this.rules = rules;
        this.fingerprintKey = fingerprintKey;
        Set<String> keywords = new java.util.TreeSet<>();
        rules.forEach(r -> {
            keywords.addAll(r.keywords());
            keywords.addAll(r.requires());
        });
        this.keywordIndex = new KeywordIndex(keywords);
    }

    /** The default rule set without its optional rules; fingerprints keyed with {@code key} (a deployment secret; any bytes). */
    public static Redactor defaults(byte[] key) {
        return defaults(key, Set.of());
    }

    /**
     * The default rule set with the named optional rules (e-mail, IP addresses) switched on.
     *
     * @throws IllegalArgumentException when a name is no optional rule of the set
     */
    public static Redactor defaults(byte[] key, Set<String> optional) {
        try (InputStream in = Redactor.class.getResourceAsStream(DEFAULT_RULES)) {
            return fromJson(StrictJson.parse(in.readAllBytes()), key, optional);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every optional rule's id in the default set. */
    public static List<String> optionalRules() {
        try (InputStream in = Redactor.class.getResourceAsStream(DEFAULT_RULES)) {
            List<String> out = new ArrayList<>();
            for (JsonNode r : StrictJson.parse(in.readAllBytes()).path("rules")) {
                if (r.path("optional").asBoolean(false)) {
                    out.add(r.get("id").asText());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Redactor fromJson(JsonNode set, byte[] key) {
        return fromJson(set, key, Set.of());
    }

    public static Redactor fromJson(JsonNode set, byte[] key, Set<String> optional) {
        Set<String> unknown = new java.util.TreeSet<>(optional);
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : set.path("rules")) {
            boolean isOptional = r.path("optional").asBoolean(false);
            if (isOptional) {
                unknown.remove(r.get("id").asText());
                if (!optional.contains(r.get("id").asText())) {
                    continue;
                }
            }
            List<String> keywords = new ArrayList<>();
            r.path("keywords").forEach(k -> keywords.add(k.asText().toLowerCase(Locale.ROOT)));
            Set<String> allow = new HashSet<>();
            r.path("allow").forEach(a -> allow.add(a.asText()));
            List<String> requires = new ArrayList<>();
            r.path("requires").forEach(k -> requires.add(k.asText().toLowerCase(Locale.ROOT)));
            rules.add(new Rule(r.get("id").asText(), Pattern.compile(r.get("pattern").asText()), List.copyOf(keywords),
                    List.copyOf(requires),
                    r.has("min_entropy") ? r.get("min_entropy").asDouble() : null, r.path("require_digit").asBoolean(false),
                    Set.copyOf(allow), isOptional));
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no optional redaction rule " + unknown + " in " + set.path("id").asText("the set")
                    + "; the optional rules are " + set.findParents("optional").stream()
                    .filter(n -> n.path("optional").asBoolean(false)).map(n -> n.path("id").asText()).toList());
        }
        return new Redactor(set.path("id").asText("custom"), set.path("placeholder").asText("[REDACTED:%s]"),
                List.copyOf(rules), key.clone());
    }

    public String setId() {
        return setId;
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * The rules that could fire anywhere in {@code text} (their keywords pre-filter passes on the
     * text as a whole), as a redactor with only those rules (same set id, key, placeholder); null when
     * none could. For a batch of strings — a chunk's JSON — checked once instead of per string. The
     * text must hold the strings literally: JSON with backslash-u or backslash-slash escapes (which could hide
     * a keyword) gets the full set.
     */
    public Redactor candidatesFor(String text) {
        return candidatesFor(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * As {@link #candidatesFor(String)}, over UTF-8 bytes without decoding them (the assembly holds a
     * record's bytes): keywords are ASCII (bytes of multi-byte characters never match them); keywords
     * beyond ASCII, if a rule set has any, are looked for in the decoded text.
     */
    public Redactor candidatesFor(byte[] utf8) {
        if (contains(utf8, (byte) '\\', (byte) 'u') || contains(utf8, (byte) '\\', (byte) '/')) {
            return this;
        }
        List<Rule> possible = possibleRules(keywordIndex.scan(utf8));
        if (possible.isEmpty()) {
            return null;
        }
        return possible.size() == rules.size() ? this : new Redactor(setId, placeholder, List.copyOf(possible), fingerprintKey);
    }

    private static boolean contains(byte[] b, byte first, byte second) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == first && b[i + 1] == second) {
                return true;
            }
        }
        return false;
    }

    /** The rules whose pre-filter passes on {@code text}: one of their keywords (or none are set) and all they require. */
    private List<Rule> possibleRules(String text) {
        return possibleRules(keywordIndex.scan(text.getBytes(StandardCharsets.UTF_8)));
    }

    private List<Rule> possibleRules(Set<String> present) {
        List<Rule> possible = new ArrayList<>();
        for (Rule rule : rules) {
            if ((rule.keywords().isEmpty() || rule.keywords().stream().anyMatch(present::contains))
                    && present.containsAll(rule.requires())) {
                possible.add(rule);
            }
        }
        return possible;
    }

    /**
     * Which of a set of lowercase keywords occur in a text, case-insensitively, in one pass: each
     * position is looked up by its first two (ASCII, folded) characters, and only keywords starting
     * with them are compared. Keywords with characters beyond ASCII fall back to a plain search.
     */
    static final class KeywordIndex {
        private final String[] keywords;
        private final int[][][] byPair = new int[128][][];
        private final int[] single = new int[128];
        private final List<Integer> other = new ArrayList<>();

        KeywordIndex(Set<String> all) {
            keywords = all.toArray(new String[0]);
            java.util.Arrays.fill(single, -1);
            for (int i = 0; i < keywords.length; i++) {
                String k = keywords[i];
                if (k.chars().anyMatch(c -> c >= 128) || k.isEmpty()) {
                    other.add(i);
                } else if (k.length() == 1) {
                    single[k.charAt(0)] = i;
                } else {
                    int a = k.charAt(0);
                    int b = k.charAt(1);
                    if (byPair[a] == null) {
                        byPair[a] = new int[128][];
                    }
                    int[] was = byPair[a][b] == null ? new int[0] : byPair[a][b];
                    int[] now = java.util.Arrays.copyOf(was, was.length + 1);
                    now[was.length] = i;
                    byPair[a][b] = now;
                }
            }
        }

        /** The keywords in UTF-8 text (ASCII folded; bytes of other characters match no ASCII keyword). */
        Set<String> scan(byte[] t) {
            boolean[] hit = new boolean[keywords.length];
            int n = t.length;
            for (int i = 0; i < n; i++) {
                int a = foldChar((char) (t[i] & 0xff));
                if (a >= 128) {
                    continue;
                }
                if (single[a] >= 0) {
                    hit[single[a]] = true;
                }
                int[][] row = byPair[a];
                if (row != null && i + 1 < n) {
                    int b = foldChar((char) (t[i + 1] & 0xff));
                    if (b < 128 && row[b] != null) {
                        for (int k : row[b]) {
                            if (!hit[k] && matchesAt(t, i, keywords[k])) {
                                hit[k] = true;
                            }
                        }
                    }
                }
            }
            Set<String> found = new java.util.HashSet<>();
            for (int k = 0; k < hit.length; k++) {
                if (hit[k]) {
                    found.add(keywords[k]);
                }
            }
            if (!other.isEmpty()) {
                String lower = new String(t, java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                other.stream().map(k -> keywords[k]).filter(lower::contains).forEach(found::add);
            }
            return found;
        }

        private static boolean matchesAt(byte[] text, int at, String k) {
            if (at + k.length() > text.length) {
                return false;
            }
            for (int j = 2; j < k.length(); j++) {
                if (foldChar((char) (text[at + j] & 0xff)) != k.charAt(j)) {
                    return false;
                }
            }
            return true;
        }

        private static int foldChar(char c) {
            return c >= 'A' && c <= 'Z' ? c + 32 : c;
        }
    }

    /**
     * Every secret in {@code text}, left to right, overlaps resolved in favour of the earlier one; of two
     * starting together a secret rule wins over an optional personal-data rule, then the longer one.
     */
    public List<Finding> find(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<Finding> all = new ArrayList<>();
        for (Rule rule : possibleRules(text)) {
            Matcher m = rule.pattern().matcher(text);
            while (m.find()) {
                int start = m.start();
                int end = m.end();
                if (rule.pattern().pattern().contains("(?<secret>")) {
                    start = m.start("secret");
                    end = m.end("secret");
                }
                String secret = text.substring(start, end);
                if (rule.allow().contains(secret)) {
                    continue;
                }
                if (rule.minEntropy() != null && entropy(secret) < rule.minEntropy()) {
                    continue;
                }
                if (rule.requireDigit() && secret.chars().noneMatch(Character::isDigit)) {
                    continue;
                }
                all.add(new Finding(rule.id(), start, end, secret));
            }
        }
        all.sort(Comparator.comparingInt(Finding::start).thenComparing(f -> optional(f.rule()))
                .thenComparing(f -> -(f.end() - f.start())));
        List<Finding> kept = new ArrayList<>();
        int until = -1;
        for (Finding f : all) {
            if (f.start() >= until) {
                kept.add(f);
                until = f.end();
            }
        }
        return kept;
    }

    private boolean optional(String ruleId) {
        for (Rule r : rules) {
            if (r.id().equals(ruleId)) {
                return r.optional();
            }
        }
        return false;
    }

    public Result redact(String text) {
        List<Finding> findings = find(text);
        if (findings.isEmpty()) {
            return new Result(text, List.of());
        }
        StringBuilder out = new StringBuilder(text.length());
        List<Redaction> redactions = new ArrayList<>();
        int at = 0;
        for (Finding f : findings) {
            out.append(text, at, f.start());
            String mark = String.format(Locale.ROOT, placeholder, f.rule());
            redactions.add(new Redaction(f.rule(), out.length(), out.length() + mark.length(), fingerprint(f.secret())));
            out.append(mark);
            at = f.end();
        }
        out.append(text, at, text.length());
        return new Result(out.toString(), List.copyOf(redactions));
    }

    /**
     * Redacts every string inside {@code node} in place; returns one record per redaction:
     * {@code {rule, pointer, start, end, fingerprint}}, the pointer relative to {@code base}.
     */
    public List<ObjectNode> redactTree(JsonNode node, String base) {
        List<ObjectNode> out = new ArrayList<>();
        walk(node, base, out);
        return out;
    }

    private void walk(JsonNode node, String pointer, List<ObjectNode> out) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
            it.forEachRemaining(entries::add);
            for (Map.Entry<String, JsonNode> e : entries) {
                String p = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (e.getValue().isTextual()) {
                    String text = e.getValue().textValue();
                    String redacted = redactAt(text, p, out);
                    if (redacted != text) {
                        o.set(e.getKey(), TextNode.valueOf(redacted));
                    }
                } else {
                    walk(e.getValue(), p, out);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                String p = pointer + "/" + i;
                if (a.get(i).isTextual()) {
                    String text = a.get(i).textValue();
                    String redacted = redactAt(text, p, out);
                    if (redacted != text) {
                        a.set(i, TextNode.valueOf(redacted));
                    }
                } else {
                    walk(a.get(i), p, out);
                }
            }
        }
    }

    /**
     * Redacts one string that sits at {@code pointer}, appending a record per redaction
     * ({@code {rule, pointer, start, end, fingerprint}}) to {@code out}; returns the redacted text,
     * the very same instance when nothing was found.
     */
    public String redactAt(String text, String pointer, List<ObjectNode> out) {
        Result r = redact(text);
        if (r.redactions().isEmpty()) {
            return text;
        }
        record(pointer, r, out);
        return r.text();
    }

    private static void record(String pointer, Result r, List<ObjectNode> out) {
        for (Redaction x : r.redactions()) {
            ObjectNode n = StrictJson.mapper().createObjectNode();
            n.put("rule", x.rule());
            n.put("pointer", pointer);
            n.put("start", x.start());
            n.put("end", x.end());
            n.put("fingerprint", x.fingerprint());
            out.add(n);
        }
    }

    /** HMAC-SHA256 of the secret under the deployment key, first 32 hex digits. */
    public String fingerprint(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(fingerprintKey.length == 0 ? new byte[1] : fingerprintKey, "HmacSHA256"));
            return Sha256.hex(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Shannon entropy in bits per character. */
    public static double entropy(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        Map<Integer, Integer> counts = new java.util.HashMap<>();
        s.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
        double n = s.codePointCount(0, s.length());
        double h = 0;
        for (int c : counts.values()) {
            double p = c / n;
            h -= p * Math.log(p) / Math.log(2);
        }
        return h;
    }
}
