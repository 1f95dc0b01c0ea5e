package dev.replication.quarkus.lts;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parent pom's pins beat an imported BOM in Maven 3, so the LTS modules set them to the line's platform versions:
 * every such jar on this class path must be the version the line's {@code quarkus-bom} manages.
 */
class LtsAlignmentTest {

    private static final List<String> ALIGNED = List.of("hibernate-core", "jakarta.persistence-api", "postgresql",
            "jboss-logging", "agroal-pool", "agroal-narayana", "narayana-jta", "jackson-databind", "junit-jupiter-api");

    @Test
    void classPathVersionsAreTheLinesPlatforms() throws IOException {
        String platform = System.getProperty("lts.quarkus.version");
        Path bom = Path.of(System.getProperty("maven.repo.local"), "io", "quarkus", "quarkus-bom", platform,
                "quarkus-bom-" + platform + ".pom");
        String bomText = Files.readString(bom);
        int checked = 0;
        for (String artifact : ALIGNED) {
            Pattern p = Pattern.compile(".*[/\\\\]" + Pattern.quote(artifact) + "[/\\\\]([^/\\\\]+)[/\\\\]"
                    + Pattern.quote(artifact) + "-\\1\\.jar");
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Matcher m = p.matcher(entry);
                if (m.matches()) {
                    Matcher managed = Pattern.compile("<artifactId>" + Pattern.quote(artifact)
                            + "</artifactId>\\s*<version>([^<]+)</version>").matcher(bomText);
                    assertThat(managed.find()).as(artifact + " in " + bom).isTrue();
                    assertThat(m.group(1)).as(artifact + ": set the parent pom's quarkusNNN.* property to the BOM's")
                            .isEqualTo(managed.group(1));
                    checked++;
                }
            }
        }
        assertThat(checked).as("artifacts found on the class path").isGreaterThanOrEqualTo(6);
    }
}
