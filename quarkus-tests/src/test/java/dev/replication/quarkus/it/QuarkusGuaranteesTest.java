package dev.replication.quarkus.it;

import dev.replication.cdi.ReplicationLag;
import dev.replication.guarantees.GuaranteeMode;
import dev.replication.guarantees.ReadYourWritesBody;
import dev.replication.guarantees.ReplicaKillBody;
import dev.replication.quarkus.test.ConsistencyTokenCarrier;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;

/**
 * The guarantee matrix, mode "Quarkus (JTA, Agroal, Hibernate 7.2, 2LC on, reads by id)": the shared
 * bodies of module {@code guarantees} over HTTP. Writes are POST / PUT on {@code @Primary} endpoints,
 * reads GET on a {@code @ReadReplica} endpoint ({@code EntityManager.find} of a {@code @Cacheable}
 * entity, then {@code inet_server_port()} in the same transaction). A client is a thread with its own
 * {@link ConsistencyTokenCarrier}: the {@code X-Consistency-Token} header it got back is sent with its
 * next request; another client is another thread starting from the token it is handed.
 */
@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class QuarkusGuaranteesTest {

    PgCluster cluster;

    @Inject
    ReplicationLag lag;

    private HttpMode mode;

    @BeforeEach
    void start() {
        awaitHealthy();
        mode = new HttpMode();
    }

    @AfterEach
    void stop() {
        mode.close();
        cluster.replicas().forEach(PgNode::resumeReplay);
    }

    private void awaitHealthy() {
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Await.until("replicas healthy", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
    }

    @Test
    void readYourWrites() throws Exception {
        ReadYourWritesBody.run(mode, 10);
    }

    @Test
    void replicaKilledUnderLoad() throws Exception {
        ReplicaKillBody.run(mode, 4, Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    /** The application's HTTP endpoints as clients use them. */
    private final class HttpMode implements GuaranteeMode {
        private final ThreadLocal<ConsistencyTokenCarrier> client = ThreadLocal.withInitial(ConsistencyTokenCarrier::new);
        private final ExecutorService others = Executors.newCachedThreadPool();
        private PgNode killed;

        @Override
        public String name() {
            return "Quarkus (JTA, Agroal, Hibernate 7.2, 2LC on, reads by id)";
        }

        @Override
        public long insert(String value) {
            return Long.parseLong(given().filter(client.get()).body(value).post("/cached/rows")
                    .then().statusCode(200).extract().asString());
        }

        @Override
        public void update(long id, String value) {
            given().filter(client.get()).body(value).put("/cached/rows/" + id).then().statusCode(204);
        }

        @Override
        public Read read(long id) {
            Response r = given().filter(client.get()).get("/cached/rows/" + id);
            if (r.statusCode() != 200 && r.statusCode() != 404) {
                throw new IllegalStateException("GET /cached/rows/" + id + ": HTTP " + r.statusCode() + " "
                        + r.asString().lines().findFirst().orElse(""));
            }
            return new Read(r.statusCode() == 200 ? r.asString() : null, Integer.parseInt(r.header(CachedResource.PORT)));
        }

        @Override
        public Optional<String> token() {
            return client.get().token();
        }

        @Override
        public <T> T asOtherClient(String token, Callable<T> work) throws Exception {
            return others.submit(() -> {
                client.set(token == null ? new ConsistencyTokenCarrier() : ConsistencyTokenCarrier.startingFrom(token));
                try {
                    return work.call();
                } finally {
                    client.remove();
                }
            }).get(60, TimeUnit.SECONDS);
        }

        @Override
        public void holdReplicas() {
            cluster.replicas().forEach(PgNode::pauseReplay);
        }

        @Override
        public void releaseReplicas() {
            cluster.replicas().forEach(PgNode::resumeReplay);
        }

        @Override
        public Set<Integer> replicaPorts() {
            return cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());
        }

        @Override
        public int killReplica() {
            killed = cluster.replicas().get(0);
            killed.kill();
            return killed.port();
        }

        @Override
        public void restartKilledReplica() {
            if (killed != null) {
                killed.start();
                killed = null;
                awaitHealthy();
            }
        }

        void close() {
            others.shutdownNow();
            client.remove();
        }
    }
}
