package dev.replication.quarkus.it;

import dev.replication.ReadOnlyViolationException;
import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class PanacheTest {

    PgCluster cluster;

    @Inject
    BookService books;

    @Inject
    ReplicationLag lag;

    @Test
    void panacheReadsOnReplicasAndWritesOnThePrimary() {
        Await.until("replicas healthy", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
        List<Integer> replicas = cluster.replicas().stream().map(PgNode::port).toList();
        BookService.Read<Long> added = books.add("Dune");
        assertThat(added.port()).isEqualTo(cluster.primary().port());
        cluster.awaitReplicated(Duration.ofSeconds(30));

        BookService.Read<String> byId = books.titleById(added.value());
        assertThat(byId.value()).isEqualTo("Dune");
        assertThat(byId.port()).isIn(replicas);

        BookService.Read<List<String>> all = books.titles();
        assertThat(all.value()).contains("Dune");
        assertThat(all.port()).isIn(replicas);

        BookService.Read<Long> counted = books.countTitled("Dune");
        assertThat(counted.value()).isEqualTo(1L);
        assertThat(counted.port()).as("@Transactional @ReadReplica").isIn(replicas);
    }

    @Test
    void aPanacheWriteInAReadFails() {
        assertThatThrownBy(() -> books.addInRead("nope")).isInstanceOf(ReadOnlyViolationException.class);
    }
}
