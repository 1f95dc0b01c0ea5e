package dev.replication.it.build;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core's {@code dev.replication.internal} packages are private to the core module: every other
 * module (cdi-extension, quarkus, quarkus-tests, demo, benchmarks, testkit, these tests; main and test code) uses the public
 * API and the integration SPI ({@code dev.replication.integration.spi}) only. The CDI extension also
 * does not reach into the Hibernate glue ({@code dev.replication.hibernate}); comments may name it.
 * A plain scan of the sources, so it needs no compiled classes of the other modules.
 */
class ModuleBoundaryTest {

    private static final Pattern INTERNAL = Pattern.compile("\\bdev\\.replication\\.internal\\b");
    private static final Pattern HIBERNATE_GLUE = Pattern.compile("\\bdev\\.replication\\.hibernate\\b");
    /** Comments and string literals: naming a package there is no use of it. */
    private static final Pattern NOT_CODE = Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"(?:\\\\.|[^\"\\\\])*\"",
            Pattern.DOTALL);

    @Test
    void noModuleButTheCoreUsesItsInternalPackages() {
        Path root = projectRoot();
        List<String> violations = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))
                    && !m.getFileName().toString().equals("hibernate-replication")).toList()) {
                violations.addAll(uses(module.resolve("src"), INTERNAL, root));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(violations).as("code outside the core module using dev.replication.internal"
                + " (use the public API or dev.replication.integration.spi)").isEmpty();
    }

    @Test
    void cdiExtensionUsesTheIntegrationSpiNotTheHibernateGlue() {
        Path root = projectRoot();
        assertThat(uses(root.resolve("cdi-extension/src/main/java"), HIBERNATE_GLUE, root))
                .as("cdi-extension code using dev.replication.hibernate (use dev.replication.integration.spi)").isEmpty();
    }

    /**
     * The Quarkus module subclasses the connection provider (Quarkus instantiates it by class name)
     * and otherwise uses the public API, the integration SPI and the CDI extension.
     */
    @Test
    void quarkusModuleUsesOnlyTheConnectionProviderOfTheHibernateGlue() {
        Path root = projectRoot();
        Path sources = root.resolve("quarkus/src/main/java");
        assertThat(sources).as("the Quarkus module is scanned").isDirectory();
        assertThat(root.resolve("quarkus-tests/pom.xml")).as("the Quarkus tests module is scanned").isRegularFile();
        Pattern glue = Pattern.compile("\\bdev\\.replication\\.hibernate\\.(\\w+)");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                Matcher m = glue.matcher(NOT_CODE.matcher(read(f)).replaceAll(" "));
                while (m.find()) {
                    if (!m.group(1).equals("ReplicationConnectionProvider")) {
                        violations.add(root.relativize(f) + ": " + m.group());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(violations).as("Quarkus module code using the Hibernate glue beyond ReplicationConnectionProvider").isEmpty();
    }

    @Test
    void theScanSeesImportsAndQualifiedNamesButNotCommentsOrStrings() {
        assertThat(uses("import dev.replication.internal.Failures;\nclass A {}", INTERNAL)).isTrue();
        assertThat(uses("class A { Object o = dev.replication.internal.Durations.ALLOWED; }", INTERNAL)).isTrue();
        assertThat(uses("/** see {@code dev.replication.internal.Node} */\nclass A {} // dev.replication.internal",
                INTERNAL)).isFalse();
        assertThat(uses("class A { String s = \"dev.replication.internal.Node\\\"\"; }", INTERNAL)).isFalse();
        assertThat(uses("import dev.replication.internalized.X;", INTERNAL)).isFalse();
    }

    private static List<String> uses(Path dir, Pattern pattern, Path root) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> uses(read(f), pattern))
                    .map(f -> root.relativize(f).toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean uses(String source, Pattern pattern) {
        Matcher m = pattern.matcher(NOT_CODE.matcher(source).replaceAll(" "));
        return m.find();
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reactor root: the nearest directory up from the working directory that holds the core module. */
    private static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("hibernate-replication/pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no hibernate-replication/pom.xml above " + Path.of("").toAbsolutePath());
    }
}
