package dev.replication.quarkus.it;

import dev.replication.cdi.ReplicationLag;
import dev.replication.quarkus.test.ConsistencyTokenCarrier;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Second-level cache on (Quarkus' default for {@code @Cacheable}), reads on replicas: what a replica
 * session read must never be served to a later read, because Hibernate keys cache entries by tenant
 * (here the node) and a write on the primary invalidates only the primary tenant's entries.
 * <p>
 * Each test: the data is read on every replica first (so that, were replica sessions caching, each
 * replica's tenant held an entry); replay is paused on every replica; the client writes; a read
 * without the token is still served the old state by a paused replica (the hold is real), a read with
 * the token sees the write; replay resumes; once every replica has replayed the write, reads with the
 * token on every replica must see it. With the core built without {@code ReplicaCacheGuard.install}
 * (Quarkus 3.33.2, Hibernate 7.2.14), the five data tests failed: the old value, the deleted row (200),
 * the collection and both cacheable queries without the new element, served from the replica
 * tenants' entries.
 */
@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class SecondLevelCacheTest {

    PgCluster cluster;

    @Inject
    ReplicationLag lag;

    @Inject
    EntityManagerFactory emf;

    /** The test's client: carries the token from each response to its next request. */
    private final ConsistencyTokenCarrier client = new ConsistencyTokenCarrier();
    private boolean paused;

    @BeforeEach
    void healthyCluster() {
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Await.until("replicas healthy", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
    }

    @AfterEach
    void resume() {
        if (paused) {
            resumeReplay();
        }
    }

    @Test
    void theCacheIsReallyOn() {
        SessionFactoryImplementor sf = emf.unwrap(SessionFactoryImplementor.class);
        assertThat(sf.getSessionFactoryOptions().isSecondLevelCacheEnabled()).as("second-level cache").isTrue();
        assertThat(sf.getSessionFactoryOptions().isQueryCacheEnabled()).as("query cache").isTrue();
        assertThat(sf.getMappingMetamodel().getEntityDescriptor(CachedRow.class).canReadFromCache()).isTrue();
        assertThat(sf.getMappingMetamodel().getCollectionDescriptor(Shelf.class.getName() + ".entries").hasCache())
                .isTrue();
    }

    @Test
    void anUpdateIsSeenOnEveryReplicaThatCouldHaveCachedTheOldRow() {
        String id = given().filter(client).body("v1").post("/cached/rows").then().statusCode(200).extract().asString();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        onEveryReplica("read before the update", () -> given().filter(client).get("/cached/rows/" + id),
                r -> assertThat(r.asString()).isEqualTo("v1"));

        pauseReplay();
        given().filter(client).body("v2").put("/cached/rows/" + id).then().statusCode(204);
        onEveryReplica("read without the token while replay is paused", () -> given().get("/cached/rows/" + id),
                r -> assertThat(r.asString()).as("a paused replica serves the old row").isEqualTo("v1"));
        given().filter(client).get("/cached/rows/" + id).then().statusCode(200).body(equalTo("v2"));

        resumeReplay();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        onEveryReplica("read with the token after the replicas replayed the update",
                () -> given().filter(client).get("/cached/rows/" + id),
                r -> assertThat(r.asString()).as("value").isEqualTo("v2"));
    }

    @Test
    void aDeleteIsSeenOnEveryReplicaThatCouldHaveCachedTheRow() {
        String id = given().filter(client).body("doomed").post("/cached/rows").then().statusCode(200).extract().asString();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        onEveryReplica("read before the delete", () -> given().filter(client).get("/cached/rows/" + id),
                r -> assertThat(r.asString()).isEqualTo("doomed"));

        pauseReplay();
        given().filter(client).delete("/cached/rows/" + id).then().statusCode(204);
        onEveryReplica("read without the token while replay is paused", () -> given().get("/cached/rows/" + id),
                r -> assertThat(r.asString()).as("a paused replica still has the row").isEqualTo("doomed"));
        given().filter(client).get("/cached/rows/" + id).then().statusCode(404);

        resumeReplay();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        onEveryReplica("read with the token after the replicas replayed the delete",
                () -> given().filter(client).get("/cached/rows/" + id),
                r -> assertThat(r.statusCode()).as("status of a deleted row, body '%s'", r.asString()).isEqualTo(404));
    }

    @Test
    void aCachedCollectionShowsTheNewElementOnEveryReplica() {
        String shelf = given().filter(client).body("sci-fi").post("/cached/shelves").then().statusCode(200)
                .extract().asString();
        given().filter(client).body("Dune").post("/cached/shelves/" + shelf + "/entries").then().statusCode(204);
        cluster.awaitReplicated(Duration.ofSeconds(30));
        String entries = "/cached/shelves/" + shelf + "/entries";
        onEveryReplica("collection before the addition", () -> given().filter(client).get(entries),
                r -> assertThat(r.asString()).isEqualTo("Dune"));

        pauseReplay();
        given().filter(client).body("Solaris").post(entries).then().statusCode(204);
        onEveryReplica("collection without the token while replay is paused", () -> given().get(entries),
                r -> assertThat(r.asString()).isEqualTo("Dune"));
        given().filter(client).get(entries).then().statusCode(200).body(equalTo("Dune\nSolaris"));

        resumeReplay();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        onEveryReplica("collection with the token after the replicas replayed the addition",
                () -> given().filter(client).get(entries),
                r -> assertThat(r.asString()).isEqualTo("Dune\nSolaris"));
    }

    @Test
    void aCacheableQueryShowsTheNewRowOnEveryReplica() {
        cacheableQuery(false);
    }

    @Test
    void aPanacheQueryWithTheCacheableHintShowsTheNewRowOnEveryReplica() {
        cacheableQuery(true);
    }

    /**
     * The query cache is invalidated by table (not by tenant) when the primary commits, so the stale
     * entry that matters is the one a paused replica's session would put there after that commit.
     */
    private void cacheableQuery(boolean panache) {
        String category = "c" + System.nanoTime();
        String path = "/cached/categories/" + category + "?panache=" + panache;
        given().filter(client).queryParam("category", category).body("a").post("/cached/rows").then().statusCode(200);
        cluster.awaitReplicated(Duration.ofSeconds(30));
        onEveryReplica("query before the insert", () -> given().filter(client).get(path),
                r -> assertThat(r.asString()).isEqualTo("a"));

        pauseReplay();
        given().filter(client).queryParam("category", category).body("b").post("/cached/rows").then().statusCode(200);
        onEveryReplica("query without the token while replay is paused", () -> given().get(path),
                r -> assertThat(r.asString()).as("a paused replica has not the new row").isEqualTo("a"));
        given().filter(client).get(path).then().statusCode(200).body(equalTo("a\nb"));

        resumeReplay();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        onEveryReplica("query with the token after the replicas replayed the insert",
                () -> given().filter(client).get(path),
                r -> assertThat(r.asString()).isEqualTo("a\nb"));
    }

    /**
     * Repeats {@code get} until every replica has answered it (round-robin: usually two requests),
     * checking every answer, whichever node served it; at most 30 s.
     */
    private void onEveryReplica(String what, Supplier<Response> get, Consumer<Response> check) {
        Set<Integer> replicas = cluster.replicas().stream().map(PgNode::port).collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> served = new TreeSet<>();
        Await.until(what + " served by every replica " + replicas, Duration.ofSeconds(30), () -> {
            Response r = get.get();
            int port = Integer.parseInt(r.header(CachedResource.PORT));
            try {
                check.accept(r);
            } catch (AssertionError e) {
                throw new AssertionError(what + ", served by port " + port + " (replicas " + replicas + ", primary "
                        + cluster.primary().port() + "): " + e.getMessage(), e);
            }
            served.add(port);
            return served.containsAll(replicas);
        });
    }

    private void pauseReplay() {
        cluster.replicas().forEach(PgNode::pauseReplay);
        paused = true;
    }

    private void resumeReplay() {
        cluster.replicas().forEach(PgNode::resumeReplay);
        paused = false;
    }
}
