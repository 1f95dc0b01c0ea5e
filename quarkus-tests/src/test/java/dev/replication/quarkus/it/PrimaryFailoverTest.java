package dev.replication.quarkus.it;

import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The primary killed with {@code replication.failover=promote}: writes fail for a moment, then
 * requests recover on the promoted standby (its Quarkus data source becomes the primary's tenant).
 * Its own profile, so its application and cluster are its own.
 */
@QuarkusTest
@TestProfile(PrimaryFailoverTest.Promote.class)
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class PrimaryFailoverTest {

    public static class Promote implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // a check timeout of 400 ms instead of the suite's 100 ms: on a loaded 2-core machine three 100 ms checks of
            // the healthy primary in a row timed out during startup and promoted a standby before the test began; the
            // killed primary refuses connections, which the monitor re-checks at once whatever the timeout
            return Map.of("replication.failover", "promote", "replication.monitor.interval", "500ms",
                    "replication.monitor.timeout", "400ms");
        }
    }

    PgCluster cluster;

    @Inject
    ReplicationLag lag;

    @Inject
    NoteService notes;

    private static String replicationReadiness() {
        return given().get("/q/health/ready").then().extract().path("checks.find { it.name == 'replication' }.status");
    }

    @Test
    void requestsRecoverOnThePromotedStandby() {
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Await.until("replicas healthy", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
        String before = given().body("before").post("/notes").then().statusCode(200).extract().asString();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        PgNode old = cluster.primary();
        String oldPrimary = lag.status().primary();
        old.kill();

        String[] after = new String[1];
        boolean[] readinessDown = new boolean[1];
        // promotion takes well under a second now: watch readiness alone (no slower write requests in between)
        // until it reports the outage or a new primary is in place
        Await.until("readiness DOWN or a new primary", Duration.ofSeconds(30), () -> {
            readinessDown[0] = "DOWN".equals(replicationReadiness());
            return readinessDown[0] || !oldPrimary.equals(lag.status().primary());
        });
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Await.until("a write on the promoted standby", Duration.ofSeconds(60), () -> {
            var r = given().body("after").post("/notes");
            if (r.statusCode() == 200) {
                after[0] = r.asString();
                return true;
            }
            failures.add(r.statusCode() + (r.statusCode() == 503 ? " Retry-After " + r.header("Retry-After") : ""));
            return false;
        });
        System.out.println("writes that failed before the promoted standby took one: " + failures);
        // no primary: 503 with Retry-After (ServiceUnavailableMappers); a write that had a pooled connection to the
        // killed server: the driver's I/O error, a 500
        assertThat(failures).allMatch(f -> f.equals("503 Retry-After 2") || f.equals("500"));
        assertThat(readinessDown[0]).as("readiness DOWN while no primary took writes").isTrue();
        Await.until("readiness UP again", Duration.ofSeconds(10), () -> "UP".equals(replicationReadiness()));
        assertThat(notes.primaryPort()).as("writes now on a former replica")
                .isNotEqualTo(old.port()).isIn(cluster.replicas().stream().map(PgNode::port).toList());
        for (int i = 0; i < 20; i++) {
            given().body("steady " + i).post("/notes").then().statusCode(200);
            given().get("/notes/" + before).then().statusCode(200);
        }
        given().header("X-Consistency-Token", given().body("x").post("/notes").header("X-Consistency-Token"))
                .get("/notes/" + after[0]).then().statusCode(200);
    }
}
