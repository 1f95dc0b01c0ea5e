package dev.replication.quarkus.it;

import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that keeps its existing default (unnamed) data source as the primary: the replicas
 * are named data sources, {@code replication.primary.datasource=<default>} maps the primary node to
 * the default one, and the persistence unit stays on it. Its own profile and cluster.
 */
@QuarkusTest
@TestProfile(DefaultDataSourceTest.DefaultAsPrimary.class)
class DefaultDataSourceTest {

    public static class DefaultAsPrimary implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.db-kind", "postgresql",
                    "quarkus.hibernate-orm.datasource", "<default>",
                    // the named 'primary' of application.properties is not used here
                    "quarkus.datasource.\"primary\".active", "false",
                    "replication.primary.datasource", "<default>");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ClusterResource.class,
                    Map.of(ClusterResource.PRIMARY_DATASOURCE, "<default>")));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    PgCluster cluster;

    @Inject
    NoteService notes;

    @Inject
    ReplicationLag lag;

    @Test
    void theDefaultDataSourceServesThePrimaryNode() {
        Await.until("replicas healthy", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
        assertThat(notes.primaryPort()).isEqualTo(cluster.primary().port());
        assertThat(notes.plainPort()).as("unannotated code").isEqualTo(cluster.primary().port());
        assertThat(notes.readPort()).isIn(cluster.replicas().stream().map(PgNode::port).toList());

        cluster.awaitReplicated(Duration.ofSeconds(30));
        cluster.replicas().forEach(PgNode::pauseReplay);
        try {
            Response created = given().body("on the default data source").post("/notes");
            created.then().statusCode(200);
            given().header("X-Consistency-Token", created.header("X-Consistency-Token"))
                    .get("/notes/" + created.asString()).then().statusCode(200);
            given().get("/notes/" + created.asString()).then().statusCode(404);
        } finally {
            cluster.replicas().forEach(PgNode::resumeReplay);
        }
    }
}
