package dev.replication.quarkus.it;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parent pom pins versions of artifacts the Quarkus platform also manages, and in Maven 3 those
 * pins beat the imported {@code quarkus-bom}; the quarkus modules therefore set them to the
 * platform's. This test fails when the jars on this module's class path differ from what the
 * {@code quarkus-bom} of the build manages (for instance after a Quarkus upgrade).
 */
class QuarkusBomAlignmentTest {

    private static final List<String> ALIGNED = List.of("hibernate-core", "postgresql", "jboss-logging",
            "junit-jupiter-api", "micrometer-core", "jackson-databind");

    @Test
    void classPathVersionsAreThePlatforms() throws IOException {
        String repo = System.getProperty("maven.repo.local");
        String platform = System.getProperty("quarkus.platform.version");
        assertThat(repo).as("maven.repo.local (set by the surefire configuration)").isNotBlank();
        Path bom = Path.of(repo, "io", "quarkus", "quarkus-bom", platform, "quarkus-bom-" + platform + ".pom");
        String bomText = Files.readString(bom);
        int checked = 0;
        for (String artifact : ALIGNED) {
            Optional<String> onClassPath = classPathVersion(artifact);
            if (onClassPath.isEmpty()) {
                continue;
            }
            Matcher m = Pattern.compile("<artifactId>" + Pattern.quote(artifact) + "</artifactId>\\s*<version>([^<]+)</version>")
                    .matcher(bomText);
            assertThat(m.find()).as(artifact + " in " + bom).isTrue();
            assertThat(onClassPath.get()).as(artifact + ": set the parent pom's quarkus.* version property to quarkus-bom's")
                    .isEqualTo(m.group(1));
            checked++;
        }
        assertThat(checked).as("artifacts found on the class path").isGreaterThanOrEqualTo(3);
    }

    private static Optional<String> classPathVersion(String artifact) {
        Pattern p = Pattern.compile(".*[/\\\\]" + Pattern.quote(artifact) + "[/\\\\]([^/\\\\]+)[/\\\\]"
                + Pattern.quote(artifact) + "-\\1\\.jar");
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = p.matcher(entry);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }
}
