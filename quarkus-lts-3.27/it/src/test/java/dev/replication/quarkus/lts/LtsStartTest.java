package dev.replication.quarkus.lts;

import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extension built for a Quarkus LTS line starts on that line's Quarkus and Hibernate ORM, without an
 * unsupported-properties line, and routes: a write on the primary, a read of it on a replica.
 */
@QuarkusTest
@QuarkusTestResource(value = LtsCluster.class, restrictToAnnotatedClass = false)
class LtsStartTest {

    PgCluster cluster;

    @Inject
    EntryService entries;

    @Inject
    ReplicationLag lag;

    @Test
    void startsAndRoutesOnTheLtsLine() throws Exception {
        assertThat(org.hibernate.Version.getVersionString()).isEqualTo(System.getProperty("lts.hibernate.version"));
        assertThat(io.quarkus.builder.Version.getVersion()).isEqualTo(System.getProperty("lts.quarkus.version"));
        Await.until("replicas healthy", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
        long[] written = entries.create("on the LTS line");
        assertThat(written[1]).as("the write's port").isEqualTo(cluster.primary().port());
        cluster.awaitReplicated(Duration.ofSeconds(30));
        long[] read = entries.find(written[0]);
        assertThat(read[0]).as("found").isEqualTo(1);
        assertThat(read[1]).as("the read's port").isIn(cluster.replicas().stream().map(p -> (long) p.port()).toList());
        String log = Files.readString(Path.of("target/quarkus-lts.log"));
        assertThat(log).doesNotContain("unsupported properties");
    }
}
