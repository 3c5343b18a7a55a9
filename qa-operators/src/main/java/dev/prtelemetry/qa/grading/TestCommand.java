package dev.prtelemetry.qa.grading;

import dev.prtelemetry.schemas.tests.TestFrameworks;
import dev.prtelemetry.schemas.tests.TestIds;
import dev.prtelemetry.qa.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/**
 * A recorded test command made to leave a JUnit XML report in the sandbox's output folder, and to
 * build offline from read-only dependency caches ({@link DependencyCaches}):
 * <ul>
 * <li>pytest gets {@code --junitxml};</li>
 * <li>Maven runs offline ({@code -o}) on the local repository mounted read-only
 * ({@code -Dmaven.repo.local}); every module's {@code target/surefire-reports} is collected;
 * {@code ./mvnw} runs as {@code mvn} (the wrapper's own download is not there offline);</li>
 * <li>Gradle runs {@code --offline} with the module cache as its read-only dependency cache
 * ({@code GRADLE_RO_DEP_CACHE}); {@code build/test-results} is collected;</li>
 * <li>Jest reports through jest-junit into the output folder, with ids {@code file::describe › test};
 * mocha through its built-in {@code xunit} reporter; when the workspace has a
 * {@code package-lock.json} but no {@code node_modules}, {@link #installInto} installs it first from
 * this machine's npm cache;</li>
 * <li>{@code go test} runs with {@code -json} (its events read as go-junit-report would), the module
 * cache mounted read-only ({@code GOMODCACHE}), {@code GOPROXY=off}, {@code -mod=readonly};</li>
 * <li>any other command names the report it writes.</li>
 * </ul>
 * The framework is detected from the command (overridable, e.g. from the trace's environment).
 */
public record TestCommand(String framework, List<String> argv, List<String> sandboxArgv, Map<String, String> env,
                          List<Sandbox.Mount> mounts, List<String> install) {
    public static final String REPORT = Sandbox.OUT + "/report.xml";
    /** A {@code go test -json} stream in the output folder ends so (read by {@code GoTestJson}). */
    public static final String GO_REPORT = ".gotest.json";
    private static final String WORK_GO_CACHE = Sandbox.WORK + "/.prt-go-build-cache";

    public TestCommand(String framework, List<String> argv, List<String> sandboxArgv) {
        this(framework, argv, sandboxArgv, Map.of(), List.of(), List.of());
    }

    /**
     * Installs what the tests need into a state's folder before it is copied into the sandbox:
     * for Node projects with a {@code package-lock.json} and no {@code node_modules},
     * {@code npm ci --offline --ignore-scripts} from this machine's npm cache — run here, not in the
     * sandbox, because npm cannot read a cache it may not write, and safe here because it runs no
     * package's code (no install scripts) and fetches nothing. Returns null when done or not
     * needed, else what went wrong in npm's words.
     */
    public String installInto(Path dir) throws java.io.IOException, InterruptedException {
        if (install.isEmpty() || !Files.isRegularFile(dir.resolve("package-lock.json")) || Files.exists(dir.resolve("node_modules"))) {
            return null;
        }
        Path log = Files.createTempFile("prt-npm-ci", ".log");
        try {
            Process p = new ProcessBuilder(install).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "node_modules could not be installed: " + String.join(" ", install) + " took over 5 minutes";
            }
            if (p.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.contains("npm notice")).toList();
                return "node_modules could not be installed offline from this machine's npm cache (" + String.join(" ", install)
                        + " exited " + p.exitValue() + "; install the project once where the registry answers, or set PRT_NPM_CACHE); "
                        + "npm said:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 6), lines.size()));
            }
            return null;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** With this machine's dependency caches (see {@link DependencyCaches#fromEnvironment}). */
    public static TestCommand of(String command, String frameworkOverride, String reportPath) {
        return of(command, frameworkOverride, reportPath, (Path) null);
    }

    /**
     * As {@link #of(String, String, String)}, reading {@code workspace}'s {@code package.json} to tell
     * what {@code npm test} (or {@code npm run X}, {@code yarn X}) runs.
     */
    public static TestCommand of(String command, String frameworkOverride, String reportPath, Path workspace) {
        String framework = frameworkOverride != null ? frameworkOverride : workspace == null ? null : nodeScriptFramework(command, workspace);
        try {
            return of(command, framework, reportPath, DependencyCaches.fromEnvironment(System.getenv()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the dependency caches could not be made readable for the sandbox: " + e.getMessage(), e);
        }
    }

    public static TestCommand of(String command, String frameworkOverride, String reportPath, DependencyCaches caches)
            throws java.io.IOException {
        List<String> argv = shellWords(command);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("the test command is empty");
        }
        String exe = TestFrameworks.executable(argv);
        boolean maven = exe.equals("mvn") || exe.equals("mvnw");
        boolean gradle = exe.equals("gradle") || exe.equals("gradlew");
        String framework = frameworkOverride != null ? frameworkOverride : TestFrameworks.framework(argv, command);
        List<String> run = new ArrayList<>(argv);
        Map<String, String> env = new LinkedHashMap<>();
        List<Sandbox.Mount> mounts = new ArrayList<>();
        if ("pytest".equals(framework)) {
            run.removeIf(a -> a.startsWith("--junitxml") || a.startsWith("--junit-xml"));
            run.addAll(List.of("-p", "no:cacheprovider", "--junitxml=" + REPORT));
            return new TestCommand(framework, argv, run, env, mounts, List.of());
        }
        String copy;
        List<String> prepare = List.of();
        if (maven) {
            run.set(0, "mvn");
            List<String> flags = new ArrayList<>(List.of("-o", "-B"));
            DependencyCaches.Cache m2 = caches.get("maven");
            if (m2 != null) {
                mounts.add(m2.mount());
                flags.add("-Dmaven.repo.local=" + m2.inside());
            }
            run.addAll(1, flags);
            copy = "*/target/surefire-reports/";
        } else if (gradle) {
            run.add(1, "--offline");
            DependencyCaches.Cache g = caches.get("gradle");
            if (g != null) {
                mounts.add(g.mount());
                env.put("GRADLE_RO_DEP_CACHE", g.inside());
            }
            env.put("GRADLE_USER_HOME", "/tmp/gradle-home");
            copy = "*/build/test-results/";
        } else if ("go".equals(framework) && exe.equals("go") && argv.size() > 1 && argv.get(1).equals("test")) {
            if (!run.contains("-json")) {
                run.add(2, "-json");
            }
            env.put("GOPROXY", "off");
            env.put("GOFLAGS", "-mod=readonly");
            env.put("GOTOOLCHAIN", "local");
            env.put("GOTELEMETRY", "off");
            env.put("GOPATH", "/tmp/go");
            env.put("GOCACHE", WORK_GO_CACHE);
            DependencyCaches.Cache mod = caches.get("go");
            if (mod != null) {
                mounts.add(mod.mount());
                env.put("GOMODCACHE", mod.inside());
            }
            // test2json events to a file for the grader, and the same to the run's output
            String script = "{ \"$@\"; echo $? > /tmp/.prt-go-rc; } | tee " + Sandbox.OUT + "/report" + GO_REPORT
                    + "; exit $(cat /tmp/.prt-go-rc)";
            List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", script, "prt-tests"));
            wrapped.addAll(run);
            return new TestCommand(framework, argv, wrapped, env, mounts, List.of());
        } else if ("jest".equals(framework) || "mocha".equals(framework)) {
            boolean viaScript = exe.equals("npm") || exe.equals("yarn") || exe.equals("pnpm");
            List<String> extra = new ArrayList<>();
            if ("jest".equals(framework)) {
                if (run.stream().noneMatch(a -> a.contains("jest-junit"))) {
                    extra.addAll(List.of("--reporters=default", "--reporters=jest-junit"));
                }
                env.put("JEST_JUNIT_OUTPUT_DIR", Sandbox.OUT);
                env.put("JEST_JUNIT_OUTPUT_NAME", "report.xml");
                env.put("JEST_JUNIT_CLASSNAME", "{filepath}");
                env.put("JEST_JUNIT_TITLE", "{classname} › {title}");
                env.put("JEST_JUNIT_ANCESTOR_SEPARATOR", " › ");
                env.put("JEST_JUNIT_ADD_FILE_ATTRIBUTE", "true");
                env.put("CI", "true");
            } else {
                removeOption(run, "--reporter", "-R");
                removeOption(run, "--reporter-option", "--reporter-options", "-O");
                extra.addAll(List.of("--reporter", "xunit", "--reporter-option", "output=" + REPORT));
            }
            if (viaScript && !run.contains("--")) {
                run.add("--");
            }
            run.addAll(extra);
            String npmCache = caches.source("npm");
            prepare = new ArrayList<>(List.of("npm", "ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"));
            if (npmCache != null) {
                prepare.add("--cache=" + npmCache);
            }
            copy = null; // the reporter writes into the output folder itself
        } else {
            copy = reportPath;
        }
        if (copy == null && !("jest".equals(framework) || "mocha".equals(framework))) {
            throw new IllegalArgumentException("cannot tell where `" + command + "` writes its JUnit XML report; name it");
        }
        String collect = copy == null ? "" : "for r in $(find . -path '" + (copy.startsWith("*/") ? copy : "./" + copy.replaceFirst("^\\./", ""))
                + "*' -name '*.xml' 2>/dev/null); do ";
        String script = "\"$@\"; rc=$?; " + (collect.isEmpty() ? "" : collect
                + "cp \"$r\" " + Sandbox.OUT + "/report-$(echo \"$r\" | tr '/' '_'); done; ") + "exit $rc";
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", script, "prt-tests"));
        wrapped.addAll(run);
        return new TestCommand(framework, argv, wrapped, env, mounts, prepare);
    }

    /** "jest" or "mocha" when the command runs a package.json script that runs one; else null. */
    static String nodeScriptFramework(String command, Path workspace) {
        List<String> argv = shellWords(command);
        if (argv.isEmpty() || !List.of("npm", "yarn", "pnpm").contains(argv.get(0))) {
            return null;
        }
        String script = null;
        if (argv.size() >= 2 && List.of("test", "t", "tst").contains(argv.get(1))) {
            script = "test";
        } else if (argv.size() >= 3 && List.of("run", "run-script").contains(argv.get(1))) {
            script = argv.get(2);
        } else if (argv.size() >= 2 && !argv.get(0).equals("npm")) {
            script = argv.get(1);
        }
        Path pkg = workspace.resolve("package.json");
        if (script == null || !Files.isRegularFile(pkg)) {
            return null;
        }
        try {
            String text = dev.prtelemetry.schemas.json.StrictJson.parse(Files.readAllBytes(pkg)).path("scripts").path(script).asText("");
            return text.matches(".*\\bjest\\b.*") ? "jest" : text.matches(".*\\bmocha\\b.*") ? "mocha" : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static void removeOption(List<String> argv, String... names) {
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            for (String n : names) {
                if (a.equals(n) && i + 1 < argv.size()) {
                    argv.remove(i + 1);
                    argv.remove(i--);
                    break;
                } else if (a.startsWith(n + "=")) {
                    argv.remove(i--);
                    break;
                }
            }
        }
    }

    /** POSIX-shell-like word splitting: spaces, single and double quotes, backslashes. */
    public static List<String> shellWords(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    cur.append(s.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }
}
