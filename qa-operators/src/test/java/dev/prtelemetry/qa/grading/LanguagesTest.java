package dev.prtelemetry.qa.grading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prtelemetry.qa.sandbox.NamespaceSandbox;
import dev.prtelemetry.qa.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fail-to-pass runs of small real projects in the languages the verifier claims beyond Python,
 * Maven and Jest (those are the examples: {@link ExampleVerificationTest}): Go ({@code go test
 * -json} read as go-junit-report would) and mocha (its built-in xunit reporter), each in the
 * namespace sandbox, each with targets in the form its users write.
 */
class LanguagesTest {
    static final Path PROJECTS = Path.of("src/test/resources/projects").toAbsolutePath();
    static Sandbox sandbox;

    @BeforeAll
    static void sandbox() {
        sandbox = NamespaceSandbox.detect();
    }

    static ObjectNode verifyPatch(String project, String command, List<String> targets) throws Exception {
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        Path repo = Workspaces.newFolder("prt-lang");
        Workspaces.copy(PROJECTS.resolve(project), repo);
        try {
            return TraceVerification.verifyPatch(repo, PROJECTS.resolve(project + ".fix.patch"), null, targets, command, null, sandbox,
                    FailToPass.Options.defaults());
        } finally {
            FailToPass.deleteTree(repo);
        }
    }

    static boolean onPath(String tool) {
        return List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).stream()
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    @Test
    void goSubtestsVerifyWithTheirPackagePathIds() throws Exception {
        assumeTrue(onPath("go"), "go is not installed (apt-get install golang-go; CI installs it)");
        ObjectNode v = verifyPatch("go-money", "go test ./...", List.of("example.com/money/TestRound/half_up"));
        assertThat(v.get("resolved").asBoolean()).as(v.toPrettyString()).isTrue();
        assertThat(v.get("framework").asText()).isEqualTo("go");
        assertThat(v.get("targets").toString()).isEqualTo("[\"example.com/money::TestRound/half_up\"]");
        assertThat(v.get("tests")).hasSize(5);
    }

    @Test
    void aGoPackageThatDoesNotBuildIsNamedNotPassed() throws Exception {
        assumeTrue(onPath("go"), "go is not installed (apt-get install golang-go; CI installs it)");
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        Path repo = Workspaces.newFolder("prt-lang");
        Workspaces.copy(PROJECTS.resolve("go-money"), repo);
        Path broken = Files.createTempFile("broken", ".patch");
        Files.writeString(broken, """
                --- a/money.go
                +++ b/money.go
                @@ -4,3 +4,3 @@
                 func Round(cents, step int) int {
                -	return cents / step * step
                +	return (cents + step/2) / step * stepp
                 }
                """);
        ObjectNode v = TraceVerification.verifyPatch(repo, broken, null, List.of("TestRound/half_up"), "go test ./...", null, sandbox,
                FailToPass.Options.defaults());
        FailToPass.deleteTree(repo);
        assertThat(v.get("resolved").asBoolean()).isFalse();
        assertThat(v.get("still_failing").toString()).contains("example.com/money::TestRound/half_up");
        assertThat(v.get("tests").toString()).contains("example.com/money::[package]");
    }

    @Test
    void mochaVerifiesThroughItsXunitReporter() throws Exception {
        assumeTrue(sandbox != null, "no namespace sandbox is usable here");
        // the project installed once where the registry answers, as on the machine that recorded it
        installOnce(PROJECTS.resolve("mocha-slug"));
        ObjectNode v = verifyPatch("mocha-slug", "npm test", List.of("slug › joins words with one dash"));
        assertThat(v.get("resolved").asBoolean()).as(v.toPrettyString()).isTrue();
        assertThat(v.get("framework").asText()).isEqualTo("mocha");
        assertThat(v.get("targets").toString()).isEqualTo("[\"slug::joins words with one dash\"]");
        assertThat(v.get("tests").toString()).contains("slug edges::trims dashes");
    }

    /**
     * Installs a Node project once in a scratch copy where the registry answers, as on the machine that
     * recorded it: that fills this machine's npm cache, from which verification installs offline.
     */
    static void installOnce(Path project) throws Exception {
        Path scratch = Workspaces.newFolder("prt-npm-fill");
        try {
            Workspaces.copy(project, scratch);
            Process npm = new ProcessBuilder("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund").directory(scratch.toFile())
                    .redirectErrorStream(true).start();
            String said = new String(npm.getInputStream().readAllBytes());
            assertThat(npm.waitFor()).as("npm ci in " + project.getFileName() + " where the registry answers: " + said).isZero();
        } finally {
            FailToPass.deleteTree(scratch);
        }
    }
}
