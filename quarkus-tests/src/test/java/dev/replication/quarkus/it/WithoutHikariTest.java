package dev.replication.quarkus.it;

import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.Await;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Quarkus module excludes HikariCP (its nodes are Quarkus data sources): the application has no
 * HikariCP class and still starts, routes and monitors every node. Every other test of this module
 * runs on the same class path, so they all run without HikariCP too.
 */
@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class WithoutHikariTest {

    @Inject
    ReplicationLag lag;

    @Test
    void theApplicationHasNoHikariCpAndRuns() {
        ClassLoader app = Thread.currentThread().getContextClassLoader();
        assertThatThrownBy(() -> Class.forName("com.zaxxer.hikari.HikariDataSource", false, app))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("com.zaxxer.hikari.HikariDataSource", false, WithoutHikariTest.class.getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);
        Await.until("every node up", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.status().nodes().stream().allMatch(n -> n.up());
        });
        assertThat(lag.status().nodes()).hasSize(3);
    }
}
