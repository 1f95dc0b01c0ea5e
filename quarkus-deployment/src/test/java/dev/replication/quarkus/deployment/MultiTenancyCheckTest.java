package dev.replication.quarkus.deployment;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The default persistence unit must be multi-tenant by database: another value fails the build, naming the key. */
class MultiTenancyCheckTest {

    @Entity
    public static class Thing {
        @Id
        public Long id;
    }

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClass(Thing.class))
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.\"primary\".db-kind", "postgresql")
            .overrideConfigKey("quarkus.hibernate-orm.datasource", "primary")
            .overrideConfigKey("quarkus.hibernate-orm.multitenant", "NONE")
            .assertException(t -> {
                Throwable cause = t;
                while (cause != null && !(cause instanceof ConfigurationException)) {
                    cause = cause.getCause();
                }
                assertThat(cause).as("a ConfigurationException in " + t).isNotNull();
                assertThat(cause.getMessage()).contains("Invalid value 'NONE' for 'quarkus.hibernate-orm.multitenant'")
                        .contains("expected DATABASE");
            });

    @Test
    void theBuildFails() {
        fail("the application must not build");
    }
}
