package dev.prtelemetry.qa.grading;

import dev.prtelemetry.qa.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded test command made to leave a JUnit XML report in the sandbox's output folder:
 * pytest gets {@code --junitxml}, Maven and Gradle have their report folders copied out, any
 * other command names the report it writes. The framework is detected from the command
 * (overridable, e.g. from the trace's environment).
 */
public record TestCommand(String framework, List<String> argv, List<String> sandboxArgv) {
    public static final String REPORT = Sandbox.OUT + "/report.xml";

    public static TestCommand of(String command, String frameworkOverride, String reportPath) {
        List<String> argv = shellWords(command);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("the test command is empty");
        }
        String exe = argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1);
        boolean pytest = isPytest(argv);
        String framework = frameworkOverride != null ? frameworkOverride
                : pytest ? "pytest" : exe.startsWith("mvn") ? "junit" : exe.startsWith("gradle") ? "junit"
                : exe.equals("go") ? "go" : command.contains("jest") ? "jest" : command.contains("mocha") ? "mocha" : "custom";
        List<String> run = new ArrayList<>(argv);
        if ("pytest".equals(framework)) {
            run.removeIf(a -> a.startsWith("--junitxml") || a.startsWith("--junit-xml"));
            run.addAll(List.of("-p", "no:cacheprovider", "--junitxml=" + REPORT));
            return new TestCommand(framework, argv, run);
        }
        String copy = exe.startsWith("mvn") ? "target/surefire-reports" : exe.startsWith("gradle") ? "build/test-results"
                : reportPath;
        if (copy == null) {
            throw new IllegalArgumentException("cannot tell where `" + command + "` writes its JUnit XML report; name it");
        }
        String script = "\"$@\"; rc=$?; for r in $(find . -path './" + copy.replaceFirst("^\\./", "")
                + "*' -name '*.xml' 2>/dev/null); do cp \"$r\" " + Sandbox.OUT + "/report-$(echo \"$r\" | tr '/' '_'); done; exit $rc";
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", script, "prt-tests"));
        wrapped.addAll(argv);
        return new TestCommand(framework, argv, wrapped);
    }

    /** {@code pytest …}, {@code py.test …} or {@code python[3] -m pytest …} (the recorder and the grader both ask). */
    public static boolean isPytest(List<String> argv) {
        if (argv.isEmpty()) {
            return false;
        }
        String exe = argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1);
        return exe.equals("pytest") || exe.equals("py.test")
                || (exe.matches("python[0-9.]*") && argv.size() > 2 && argv.get(1).equals("-m") && argv.get(2).equals("pytest"));
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
