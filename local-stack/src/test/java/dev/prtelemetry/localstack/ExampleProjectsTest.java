package dev.prtelemetry.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java example builds offline (recorded with {@code mvn -q -o test}, verified with
 * {@code mvn -o} in the sandbox) only because its plugin and JUnit versions are the ones this
 * project's own build puts in the local repository: they must stay equal to the root pom's.
 */
class ExampleProjectsTest {
    @Test
    void theJavaExampleUsesTheVersionsThisBuildResolves() throws Exception {
        String root = Files.readString(Path.of("../pom.xml"));
        String example = Files.readString(Path.of("../examples/java-pagination/repo/pom.xml"));
        assertThat(example).contains("<artifactId>junit-jupiter</artifactId>\n      <version>" + property(root, "junit.version") + "</version>");
        for (String plugin : new String[] {"maven-resources-plugin", "maven-compiler-plugin", "maven-surefire-plugin"}) {
            assertThat(example).as(plugin).contains("<artifactId>" + plugin + "</artifactId><version>" + property(root, plugin + ".version")
                    + "</version>");
        }
    }

    static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertThat(m.find()).as(name).isTrue();
        return m.group(1);
    }
}
