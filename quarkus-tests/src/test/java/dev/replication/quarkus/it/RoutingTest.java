package dev.replication.quarkus.it;

import dev.replication.ReadOnlyViolationException;
import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class RoutingTest {

    PgCluster cluster;

    @Inject
    NoteService notes;

    @Inject
    ReplicationLag lag;

    @BeforeEach
    void replicasHealthy() {
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Await.until("replicas healthy", Duration.ofSeconds(20), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
    }

    private Set<Integer> replicaPorts() {
        return cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }

    @Test
    void annotatedCallsRunOnTheirNodes() {
        assertThat(notes.primaryPort()).isEqualTo(cluster.primary().port());
        assertThat(notes.readPort()).isIn(replicaPorts());
        assertThat(notes.readPortTransactional()).isIn(replicaPorts());
        assertThat(notes.plainPort()).isEqualTo(cluster.primary().port());
    }

    @Test
    void writesGoToThePrimaryAndReadsSeeThem() {
        long id = notes.create("hello");
        assertThat(notes.find(id)).isNotNull().extracting(n -> n.text).isEqualTo("hello");
    }

    @Test
    void aWriteInAReadFails() {
        assertThatThrownBy(() -> notes.writeInRead("nope")).isInstanceOf(ReadOnlyViolationException.class);
    }

    @Test
    void aPlainReadThenAReplicaReadInOneRequest() {
        String ports = given().get("/notes/ports").then().statusCode(200).extract().asString();
        int[] p = Arrays.stream(ports.split(",")).mapToInt(Integer::parseInt).toArray();
        assertThat(p[0]).as("plain read").isEqualTo(cluster.primary().port());
        assertThat(p[1]).as("@ReadReplica read after it").isIn(replicaPorts());
        assertThat(p[2]).as("plain read again").isEqualTo(cluster.primary().port());
    }
}
