package dev.replication.internal.config;

import dev.replication.ReplicationConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A persistence.xml placeholder that Hibernate removed or emptied is reported, not taken as "no password". */
class PlaceholdersTest {

    @TempDir
    Path dir;

    private void withUnit(String propertiesXml, Runnable check) throws IOException {
        Path meta = Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(meta.resolve("persistence.xml"), """
                <persistence xmlns="https://jakarta.ee/xml/ns/persistence" version="3.0">
                  <persistence-unit name="app"><properties>%s</properties></persistence-unit>
                  <persistence-unit name="other"><properties>
                    <property name="replication.user" value="${nobody}"/>
                  </properties></persistence-unit>
                </persistence>""".formatted(propertiesXml));
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            t.setContextClassLoader(loader);
            check.run();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private static Map<String, Object> settings(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        m.put("hibernate.persistenceUnitName", "app");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void aRemovedOrEmptiedPlaceholderFails() throws IOException {
        withUnit("<property name=\"replication.password\" value=\"${env.DB_PASSWORD}\"/>", () -> {
            assertThatThrownBy(() -> Placeholders.check(settings()))
                    .isInstanceOf(ReplicationConfigurationException.class)
                    .hasMessageStartingWith("Setting 'replication.password' of persistence unit 'app' is a ${...}"
                            + " placeholder in persistence.xml and arrived removed. Hibernate replaces ${name}");
            assertThatThrownBy(() -> Placeholders.check(settings("replication.password", "")))
                    .hasMessageContaining("arrived empty");
        });
    }

    @Test
    void aResolvedPlaceholderOtherUnitsAndOtherKeysPass() throws IOException {
        withUnit("<property name=\"replication.password\" value=\"${db.password}\"/>"
                + "<property name=\"hibernate.x\" value=\"${nothing}\"/>", () -> {
            assertThatCode(() -> Placeholders.check(settings("replication.password", "resolved"))).doesNotThrowAnyException();
            Map<String, Object> other = settings("replication.password", "resolved");
            other.put("hibernate.persistenceUnitName", "missing-unit");
            assertThatCode(() -> Placeholders.check(other)).doesNotThrowAnyException();
            assertThatCode(() -> Placeholders.check(Map.of())).doesNotThrowAnyException();
        });
    }
}
