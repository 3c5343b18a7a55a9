package dev.prtelemetry.schemas.tests;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One identity for a test across the ways people write it. The canonical id is what a JUnit XML
 * report says: {@code classname::name} (see {@code JUnitXml.Case.id()}). The aliases a user or a
 * task instance writes map onto it:
 * <ul>
 *   <li>pytest node ids, {@code tests/test_more.py::SlicedTests::test_negative[p-1]}: the path's
 *       separators become dots and {@code .py} goes, exactly as pytest's JUnit XML writer mangles a
 *       node id into {@code classname} and {@code name} (nested classes and parameters kept);</li>
 *   <li>JUnit/Surefire {@code pkg.Class#method} and {@code pkg.Class.method} (a parameterised
 *       method names all its invocations, {@code method(int)[1]}, {@code method(int)[2]}, …);</li>
 *   <li>Jest/mocha {@code test/file.test.js › describe › test} (ids {@code file::describe › test}, as
 *       the Jest run is reported), or without the file when one test has that title;</li>
 *   <li>Go {@code pkg/path/TestX/subtest} (ids {@code pkg/path::TestX/subtest}, as go-junit-report
 *       and {@code GoTestJson} report them), or {@code TestX/subtest} alone;</li>
 *   <li>the canonical {@code classname::name} itself.</li>
 * </ul>
 * A target that matches no test is an error naming the closest ids — never a silent "does not
 * fail before".
 */
public final class TestIds {
    private static final java.util.regex.Pattern GO = java.util.regex.Pattern.compile("(.+?)/((?:Test|Example|Benchmark|Fuzz)[^/]*(?:/.*)?)");

    private TestIds() {
    }

    /** The canonical ids an alias may mean, most likely first. */
    public static List<String> candidates(String alias) {
        String a = alias.strip();
        List<String> out = new ArrayList<>();
        if (a.contains("::") && (a.contains("/") || a.contains(".py::"))) {
            out.add(pytest(a));
        }
        int hash = a.indexOf('#');
        if (hash > 0) {
            out.add(a.substring(0, hash) + "::" + a.substring(hash + 1));
        }
        int arrow = a.indexOf(" › ");
        if (arrow > 0 && !a.contains("::")) {
            out.add(a.substring(0, arrow) + "::" + a.substring(arrow + 3)); // Jest: file › describe › test
        }
        java.util.regex.Matcher go = GO.matcher(a);
        if (!a.contains("::") && go.matches()) {
            out.add(go.group(1) + "::" + go.group(2)); // Go: pkg/path/TestX/sub
        }
        out.add(a);
        int dot = a.lastIndexOf('.');
        if (!a.contains("::") && hash < 0 && dot > 0) {
            out.add(a.substring(0, dot) + "::" + a.substring(dot + 1)); // pkg.Class.method
        }
        return out.stream().distinct().toList();
    }

    /** pytest's own mangling of a node id into {@code classname::name}. */
    static String pytest(String nodeId) {
        int bracket = nodeId.indexOf('[');
        String path = bracket < 0 ? nodeId : nodeId.substring(0, bracket);
        String params = bracket < 0 ? "" : nodeId.substring(bracket);
        List<String> names = new ArrayList<>(List.of(path.split("::", -1)));
        names.set(0, names.get(0).replace('/', '.').replaceFirst("\\.py$", ""));
        String name = names.remove(names.size() - 1) + params;
        return names.isEmpty() ? name : String.join(".", names) + "::" + name;
    }

    /** What resolving some targets against the ids a run reported gave. */
    public record Resolution(Map<String, List<String>> resolved, Map<String, List<String>> unmatched) {
        public boolean complete() {
            return unmatched.isEmpty();
        }

        /** "x matches no test (closest: a, b, c); …" */
        public String describe() {
            List<String> parts = new ArrayList<>();
            unmatched.forEach((t, close) -> parts.add("'" + t + "' matches no test" + (close.isEmpty() ? "" : " (closest: "
                    + String.join(", ", close) + ")")));
            return String.join("; ", parts);
        }
    }

    /** Maps each target to the canonical id it means among {@code ids}; the unmatched with the three closest ids. */
    public static Resolution resolve(Collection<String> targets, Collection<String> ids) {
        Map<String, List<String>> resolved = new LinkedHashMap<>();
        Map<String, List<String>> unmatched = new LinkedHashMap<>();
        java.util.Set<String> known = new java.util.HashSet<>(ids);
        for (String t : targets) {
            String hit = candidates(t).stream().filter(known::contains).findFirst().orElse(null);
            List<String> cut = hit == null ? truncatedParameters(t, ids) : List.of();
            if (hit == null && cut.isEmpty()) {
                cut = family(t, ids);
            }
            if (hit != null) {
                resolved.put(t, List.of(hit));
            } else if (!cut.isEmpty()) {
                resolved.put(t, cut);
            } else {
                String key = candidates(t).get(0);
                unmatched.put(t, ids.stream().sorted(Comparator.comparingInt((String id) -> distance(key, id)).thenComparing(id -> id))
                        .limit(3).toList());
            }
        }
        return new Resolution(resolved, unmatched);
    }

    /**
     * A parametrised pytest id cut at its first space, as SWE-bench's log parsing leaves them
     * ({@code test_sig[None-args-kwargs-None-*args,} for {@code test_sig[None-args-kwargs-None-*args, **kwargs]}):
     * the ids it is a prefix of (SWE-bench keeps one status per cut id; here each of them counts).
     */
    static List<String> truncatedParameters(String alias, Collection<String> ids) {
        int open = alias.indexOf('[');
        if (open < 0 || alias.indexOf(']', open) >= 0) {
            return List.of();
        }
        String prefix = candidates(alias).get(0);
        return ids.stream().filter(id -> id.startsWith(prefix)).sorted().toList();
    }

    /**
     * The ids a target names as a whole: every invocation of a parameterised test
     * ({@code Class#method} for {@code method(int)[1]}, {@code method(int)[2]}; {@code test_x} for
     * {@code test_x[a]}), or, for a title without its scope ({@code describe › test}, {@code TestX/sub}),
     * the tests of that title in any file or package.
     */
    static List<String> family(String alias, Collection<String> ids) {
        List<String> cands = candidates(alias);
        List<String> params = ids.stream().filter(id -> cands.stream().anyMatch(c -> id.startsWith(c + "(") || id.startsWith(c + "[")))
                .sorted().toList();
        if (!params.isEmpty()) {
            return params;
        }
        if (alias.contains("::") || alias.contains("#")) {
            return List.of();
        }
        List<String> titled = ids.stream().filter(id -> id.endsWith("::" + alias.strip())).sorted().toList();
        if (!titled.isEmpty()) {
            return titled;
        }
        // mocha's reporters join the describe titles with spaces ("slug edges::trims dashes")
        String words = squash(alias);
        return ids.stream().filter(id -> squash(id).equals(words) || squash(id).endsWith(" " + words)).sorted().toList();
    }

    private static String squash(String id) {
        return id.strip().replace(" \u203a ", " ").replace("::", " ").replaceAll("\\s+", " ");
    }

    /** Levenshtein distance (two rows). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
