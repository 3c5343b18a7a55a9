package dev.prtelemetry.qa.judging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prtelemetry.schemas.rubric.Rubric;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The offline default: scores each dimension of the debugging rubric from trace features, the
 * same way every time, and says which events each score rests on. It reads only the trace —
 * no model — and says so in its id ({@code heuristic-v1}).
 *
 * <ul>
 *   <li>problem understanding: a plan, a reproduced failure, a note on it, and a hypothesis — all before the first edit;</li>
 *   <li>causal linking: the share of claims (hypotheses, observations, decisions) citing evidence; hypotheses
 *       tested by a later run that a later note cites; more than one hypothesis worked through that way;</li>
 *   <li>experiment design: runs at all, a failing run before editing, a run after the last edit, a run after every
 *       hypothesis, an exploratory command a note relies on;</li>
 *   <li>efficiency: 5 less one per edit that a test run shows made no difference to the failing tests, per edit
 *       undone, per failing run repeated with nothing changed;</li>
 *   <li>reproducibility: test command known, per-test outcomes, a run after the last edit, that run passing, a commit;</li>
 *   <li>safety &amp; hygiene: 5 less 3 for a dangerous command, 2 when secrets had to be redacted, 1 for
 *       uncommitted edits or an empty commit message.</li>
 * </ul>
 */
public final class HeuristicJudge implements Judge {
    public static final String ID = "heuristic-v1";
    static final Pattern DANGEROUS = Pattern.compile(
            "rm\\s+-[a-zA-Z]*r[a-zA-Z]*f?\\s+(/|~|\\$HOME|/\\*)(\\s|$)|rm\\s+-[a-zA-Z]*f[a-zA-Z]*r\\s+(/|~)(\\s|$)"
                    + "|(curl|wget)[^|;&]*\\|\\s*(sudo\\s+)?(ba|z)?sh\\b|chmod\\s+-R\\s+777\\s+/|mkfs\\.|dd\\s+[^;]*of=/dev/(sd|nvme|hd)"
                    + "|:\\(\\)\\s*\\{\\s*:\\|:&\\s*\\};:|git\\s+push\\s+[^;]*--force\\s+[^;]*(main|master)");

    @Override
    public String id() {
        return ID;
    }

    /** One event, indexed. */
    record Ev(int i, String id, String type, JsonNode p) {
        boolean isNote(String... kinds) {
            return type.equals("rationale_note") && !"recorder".equals(p.path("source").asText()) // the developer's, not prt's
                    && (kinds.length == 0 || List.of(kinds).contains(p.path("kind").asText()));
        }

        boolean failingRun() {
            return (type.equals("test_run") && (p.path("summary").path("failed").asInt() + p.path("summary").path("errors").asInt()) > 0)
                    || (type.equals("cmd_run") && p.path("exit_code").asInt(0) != 0);
        }

        boolean isRun() {
            return type.equals("test_run") || type.equals("cmd_run");
        }

        List<String> refs() {
            List<String> r = new ArrayList<>();
            p.path("refs").forEach(x -> r.add(x.asText()));
            return r;
        }
    }

    @Override
    public Judgement judge(JsonNode trace, Rubric rubric) {
        List<Ev> ev = new ArrayList<>();
        int i = 0;
        for (JsonNode e : trace.path("events")) {
            ev.add(new Ev(i++, e.path("id").asText(), e.path("type").asText(), e.path("payload")));
        }
        Map<String, Ev> byId = new HashMap<>();
        ev.forEach(e -> byId.put(e.id(), e));
        int firstEdit = ev.stream().filter(e -> e.type().equals("file_edit")).mapToInt(Ev::i).min().orElse(ev.size());
        int lastEdit = ev.stream().filter(e -> e.type().equals("file_edit")).mapToInt(Ev::i).max().orElse(-1);

        Map<String, Judgement.Score> scores = new LinkedHashMap<>();
        for (Rubric.Dimension d : rubric.dimensions()) {
            scores.put(d.id(), switch (d.id()) {
                case "problem_understanding" -> understanding(ev, firstEdit);
                case "causal_linking" -> causal(ev, byId);
                case "experiment_design" -> experiments(ev, byId, firstEdit, lastEdit);
                case "efficiency" -> efficiency(ev);
                case "reproducibility" -> reproducibility(trace, ev, lastEdit);
                case "safety_hygiene" -> safety(trace, ev, lastEdit);
                default -> new Judgement.Score(0, "the heuristic judge has no rule for dimension " + d.id(), List.of());
            });
        }
        return Judgement.of(ID, rubric, scores, Judgement.Usage.NONE);
    }

    static Judgement.Score understanding(List<Ev> ev, int firstEdit) {
        List<String> why = new ArrayList<>();
        Set<String> evidence = new TreeSet<>(HeuristicJudge::byNumber);
        int s = 0;
        var before = ev.subList(0, Math.min(firstEdit, ev.size()));
        var plan = before.stream().filter(e -> e.isNote("plan")).findFirst();
        if (plan.isPresent()) {
            s += 1;
            evidence.add(plan.get().id());
            why.add("a plan before editing");
        }
        var failing = before.stream().filter(Ev::failingRun).findFirst();
        if (failing.isPresent()) {
            s += 2;
            evidence.add(failing.get().id());
            why.add("the failure reproduced before editing");
            var described = before.stream().filter(e -> e.isNote("observation", "hypothesis")
                    && e.refs().stream().anyMatch(r -> before.stream().anyMatch(b -> b.id().equals(r) && b.failingRun()))).findFirst();
            if (described.isPresent()) {
                s += 1;
                evidence.add(described.get().id());
                why.add("a note on the failing run");
            }
        }
        var hypothesis = before.stream().filter(e -> e.isNote("hypothesis")).findFirst();
        if (hypothesis.isPresent()) {
            s += 1;
            evidence.add(hypothesis.get().id());
            why.add("a hypothesis before the first edit");
        }
        return score(s, why, "no plan, reproduction or hypothesis before the first edit", evidence);
    }

    static Judgement.Score causal(List<Ev> ev, Map<String, Ev> byId) {
        List<Ev> claims = ev.stream().filter(e -> e.isNote("hypothesis", "observation", "decision")).toList();
        if (claims.isEmpty()) {
            return new Judgement.Score(0, "no hypotheses, observations or decisions were noted", List.of());
        }
        Set<String> evidence = new TreeSet<>(HeuristicJudge::byNumber);
        long cited = 0;
        for (Ev c : claims) {
            boolean cites = c.refs().stream().map(byId::get).anyMatch(r -> r != null && !r.type().equals("rationale_note"));
            if (cites) {
                cited++;
                evidence.add(c.id());
            }
        }
        double share = cited / (double) claims.size();
        int s = (int) Math.round(1 + 2 * share);
        List<String> why = new ArrayList<>();
        why.add(cited + " of " + claims.size() + " claims cite the runs or edits they rest on");
        int tested = 0;
        for (Ev h : ev.stream().filter(e -> e.isNote("hypothesis")).toList()) {
            // a run after the hypothesis that a later note cites: the hypothesis was put to the test
            boolean testedByEvidence = ev.stream().filter(n -> n.i() > h.i() && n.isNote("observation", "decision"))
                    .anyMatch(n -> n.refs().stream().map(byId::get).anyMatch(r -> r != null && r.isRun() && r.i() > h.i()));
            if (testedByEvidence) {
                tested++;
                evidence.add(h.id());
            }
        }
        if (tested >= 1) {
            s += 1;
            why.add(tested + " hypothesis(es) tested by a later run that a later note cites");
        }
        if (tested >= 2) {
            s += 1;
            why.add("more than one hypothesis worked through with evidence");
        }
        return score(s, why, "", evidence);
    }

    static Judgement.Score experiments(List<Ev> ev, Map<String, Ev> byId, int firstEdit, int lastEdit) {
        if (ev.stream().noneMatch(Ev::isRun)) {
            return new Judgement.Score(0, "nothing was run", List.of());
        }
        Set<String> evidence = new TreeSet<>(HeuristicJudge::byNumber);
        List<String> why = new ArrayList<>(List.of("commands or tests were run"));
        int s = 1;
        var failingFirst = ev.stream().filter(e -> e.i() < firstEdit && e.failingRun()).findFirst();
        if (failingFirst.isPresent()) {
            s++;
            evidence.add(failingFirst.get().id());
            why.add("a failing run before editing");
        }
        var after = ev.stream().filter(e -> e.i() > lastEdit && e.type().equals("test_run")).findFirst();
        if (lastEdit >= 0 && after.isPresent()) {
            s++;
            evidence.add(after.get().id());
            why.add("tests run after the last edit");
        }
        List<Ev> hyps = ev.stream().filter(e -> e.isNote("hypothesis")).toList();
        if (!hyps.isEmpty() && hyps.stream().allMatch(h -> ev.stream().anyMatch(r -> r.i() > h.i() && r.isRun()))) {
            s++;
            hyps.forEach(h -> ev.stream().filter(r -> r.i() > h.i() && r.isRun()).findFirst().ifPresent(r -> evidence.add(r.id())));
            why.add("every hypothesis was followed by a run");
        }
        var exploratory = ev.stream().filter(e -> e.type().equals("cmd_run") && !isTestCommand(e, ev))
                .filter(c -> ev.stream().anyMatch(n -> n.i() > c.i() && n.refs().contains(c.id()))).findFirst();
        if (exploratory.isPresent()) {
            s++;
            evidence.add(exploratory.get().id());
            why.add("an exploratory command a note relies on");
        }
        return score(s, why, "", evidence);
    }

    static boolean isTestCommand(Ev c, List<Ev> ev) {
        return c.i() + 1 < ev.size() && ev.get(c.i() + 1).type().equals("test_run");
    }

    static Judgement.Score efficiency(List<Ev> ev) {
        int s = 5;
        List<String> why = new ArrayList<>();
        Set<String> evidence = new TreeSet<>(HeuristicJudge::byNumber);
        // edits a following test run shows made no difference to the failing tests
        Set<String> failingBefore = null;
        boolean editedSince = false;
        List<String> editsSince = new ArrayList<>();
        Map<String, Set<String>> seenBefore = new HashMap<>();
        Set<String> lastFailingRun = null;
        for (Ev e : ev) {
            if (e.type().equals("file_edit")) {
                editedSince = true;
                editsSince.add(e.id());
                String path = e.p().path("path").asText();
                String after = e.p().path("after_sha256").asText("");
                if (seenBefore.getOrDefault(path, Set.of()).contains(after)) {
                    s--;
                    evidence.add(e.id());
                    why.add(e.id() + " undid an earlier edit of " + path);
                }
                seenBefore.computeIfAbsent(path, k -> new HashSet<>()).add(e.p().path("before_sha256").asText(""));
            } else if (e.type().equals("test_run")) {
                Set<String> failing = new TreeSet<>();
                for (JsonNode c : e.p().path("cases")) {
                    String o = c.path("outcome").asText();
                    if (o.equals("failed") || o.equals("error")) {
                        failing.add(c.path("classname").asText("") + "::" + c.path("name").asText());
                    }
                }
                if (failingBefore != null && editedSince && !failingBefore.isEmpty() && failing.equals(failingBefore)) {
                    s--;
                    evidence.addAll(editsSince);
                    evidence.add(e.id());
                    why.add("the edits " + editsSince + " left the same tests failing (" + e.id() + ")");
                }
                if (!editedSince && lastFailingRun != null && !failing.isEmpty() && failing.equals(lastFailingRun)) {
                    s--;
                    evidence.add(e.id());
                    why.add(e.id() + " repeated a failing run with nothing changed");
                }
                failingBefore = failing;
                lastFailingRun = failing;
                editedSince = false;
                editsSince = new ArrayList<>();
            }
        }
        if (why.isEmpty()) {
            why.add("no edit was undone, no edit left the failing tests as they were, no failing run was repeated unchanged");
        }
        return score(s, why, "", evidence);
    }

    static Judgement.Score reproducibility(JsonNode trace, List<Ev> ev, int lastEdit) {
        int s = 0;
        List<String> why = new ArrayList<>();
        Set<String> evidence = new TreeSet<>(HeuristicJudge::byNumber);
        if (trace.at("/environment/test_command").isTextual()) {
            s++;
            why.add("the test command is recorded");
        }
        var withCases = ev.stream().filter(e -> e.type().equals("test_run") && e.p().path("cases").size() > 0).findFirst();
        if (withCases.isPresent()) {
            s++;
            evidence.add(withCases.get().id());
            why.add("per-test outcomes recorded");
        }
        var finalRun = ev.stream().filter(e -> e.i() > lastEdit && e.type().equals("test_run")).reduce((a, b) -> b);
        if (finalRun.isPresent()) {
            s++;
            evidence.add(finalRun.get().id());
            why.add("a test run after the last edit");
            if (!finalRun.get().failingRun()) {
                s++;
                why.add("and it passes");
            }
        }
        var commit = ev.stream().filter(e -> e.i() > lastEdit && e.type().equals("commit")).findFirst();
        if (commit.isPresent()) {
            s++;
            evidence.add(commit.get().id());
            why.add("the change is committed");
        }
        return score(s, why, "nothing another person could re-run", evidence);
    }

    static Judgement.Score safety(JsonNode trace, List<Ev> ev, int lastEdit) {
        int s = 5;
        List<String> why = new ArrayList<>();
        Set<String> evidence = new TreeSet<>(HeuristicJudge::byNumber);
        for (Ev e : ev) {
            if (e.type().equals("cmd_run") && DANGEROUS.matcher(e.p().path("command").asText()).find()) {
                s -= 3;
                evidence.add(e.id());
                why.add(e.id() + " ran a dangerous command");
                break;
            }
        }
        var redacted = new ArrayList<String>();
        for (JsonNode e : trace.path("events")) {
            if (e.path("redactions").size() > 0) {
                redacted.add(e.path("id").asText());
            }
        }
        if (!redacted.isEmpty()) {
            s -= 2;
            evidence.addAll(redacted);
            why.add("secrets had to be redacted from " + redacted);
        }
        if (lastEdit >= 0 && ev.stream().noneMatch(e -> e.i() > lastEdit && e.type().equals("commit"))) {
            s -= 1;
            why.add("the last edits are not committed");
        }
        var empty = ev.stream().filter(e -> e.type().equals("commit") && e.p().path("message").asText().isBlank()).findFirst();
        if (empty.isPresent()) {
            s -= 1;
            evidence.add(empty.get().id());
            why.add("a commit without a message");
        }
        if (why.isEmpty()) {
            why.add("no dangerous command, no secret, changes committed with a message");
        }
        return score(s, why, "", evidence);
    }

    static Judgement.Score score(int s, List<String> why, String ifNone, Set<String> evidence) {
        int clamped = Math.max(0, Math.min(5, s));
        String text = why.isEmpty() ? ifNone : String.join("; ", why);
        return new Judgement.Score(clamped, text + " (heuristic judge)", List.copyOf(evidence));
    }

    static int byNumber(String a, String b) {
        return Long.compare(num(a), num(b)) != 0 ? Long.compare(num(a), num(b)) : a.compareTo(b);
    }

    /** The digits of an id as a number (ev-0012 → 12), the first 18 of them; MAX_VALUE without any. Called by sort comparators: no regex. */
    static long num(String id) {
        long v = 0;
        int digits = 0;
        for (int i = 0; i < id.length() && digits < 18; i++) {
            char c = id.charAt(i);
            if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
                digits++;
            }
        }
        return digits == 0 ? Long.MAX_VALUE : v;
    }
}
