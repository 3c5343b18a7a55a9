package dev.prtelemetry.schemas.tests;

import java.util.List;

/**
 * Which test framework a command runs, recognised from its words: the recorder asks it when it
 * records a run (to ask pytest for a JUnit report), the grader when it re-runs the tests (to
 * build the sandboxed command). One definition, so both read a command the same way.
 */
public final class TestFrameworks {
    private TestFrameworks() {
    }

    /** {@code pytest …}, {@code py.test …} or {@code python[3] -m pytest …}. */
    public static boolean isPytest(List<String> argv) {
        if (argv.isEmpty()) {
            return false;
        }
        String exe = executable(argv);
        return exe.equals("pytest") || exe.equals("py.test")
                || (exe.matches("python[0-9.]*") && argv.size() > 2 && argv.get(1).equals("-m") && argv.get(2).equals("pytest"));
    }

    /**
     * {@code pytest}, {@code junit} (Maven, Gradle), {@code go}, {@code jest}, {@code mocha}, or {@code custom}
     * for anything else; {@code command} is the command line as one string (npm scripts name jest or mocha in it).
     */
    public static String framework(List<String> argv, String command) {
        String exe = argv.isEmpty() ? "" : executable(argv);
        boolean maven = exe.equals("mvn") || exe.equals("mvnw");
        boolean gradle = exe.equals("gradle") || exe.equals("gradlew");
        return isPytest(argv) ? "pytest" : maven || gradle ? "junit"
                : exe.equals("go") ? "go" : command.contains("jest") ? "jest" : command.contains("mocha") ? "mocha" : "custom";
    }

    /** The program's file name, without its folder. */
    public static String executable(List<String> argv) {
        return argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1);
    }
}
