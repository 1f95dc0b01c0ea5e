package dev.replication.quarkus.devservices;

import dev.replication.cdi.ReplicationLag;
import dev.replication.quarkus.test.ConsistencyTokenCarrier;
import dev.replication.quarkus.test.TestCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application configures no data source URL: the extension's Dev Services start a primary and two streaming
 * replicas and wire the data sources {@code primary}, {@code replica1}, {@code replica2}. Writes land on the primary,
 * {@code @ReadReplica} reads on the replicas (by the port the statement ran on), a client reads its own writes while
 * every replica's replay is paused ({@link TestCluster}), a replica killed under reads fails none, and with the primary
 * killed writes answer 503 with {@code Retry-After}. The kills come last: the cluster lives as long as the application.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevServicesClusterTest {

    @Inject
    ReplicationLag lag;

    private final TestCluster cluster = TestCluster.ofApplication();

    private void awaitHealthyReplicas() {
        cluster.awaitReplayed(Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            lag.checkNow();
            if (lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)))) {
                return;
            }
            assertThat(System.nanoTime()).as("replicas healthy within 30 s: " + lag.status()).isLessThan(deadline);
            sleep(50);
        }
    }

    @Test
    @Order(1)
    void devServicesWiredEveryNodeWithoutUnsupportedProperties() throws IOException {
        var config = ConfigProvider.getConfig();
        assertThat(config.getValue("replication.replicas", String.class)).isEqualTo("replica1,replica2");
        List<String> urls = new ArrayList<>();
        for (String ds : List.of("primary", "replica1", "replica2")) {
            urls.add(config.getValue("quarkus.datasource.\"" + ds + "\".jdbc.url", String.class));
        }
        assertThat(urls).allMatch(u -> u.startsWith("jdbc:postgresql://127.0.0.1:") || u.startsWith("jdbc:postgresql://localhost:"))
                .doesNotHaveDuplicates();
        assertThat(cluster.primary()).isEqualTo("primary");
        assertThat(cluster.replicas()).containsExactly("replica1", "replica2");

        // (Dev Services log their start during the build, before this file's handler exists)
        String log = Files.readString(Path.of("target/quarkus-devservices-tests.log"));
        assertThat(log).contains("HRR000001: Replication started: primary 'primary', replicas [replica1, replica2]")
                .containsPattern("Installed features: \\[.*hibernate-replication.*\\]")
                .doesNotContain("unsupported properties")
                .doesNotContain("Unrecognized configuration key");
    }

    @Test
    @Order(2)
    void writesOnThePrimaryReadsOnTheReplicas() {
        awaitHealthyReplicas();
        int primaryPort = cluster.port("primary");
        Set<Integer> replicaPorts = Set.of(cluster.port("replica1"), cluster.port("replica2"));
        assertThat(replicaPorts).hasSize(2).doesNotContain(primaryPort);

        assertThat(given().get("/items/ports/primary").then().statusCode(200).extract().asString())
                .isEqualTo(Integer.toString(primaryPort));
        Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 10; i++) {
            seen.add(Integer.parseInt(given().get("/items/ports/replica").then().statusCode(200).extract().asString()));
        }
        assertThat(replicaPorts).containsAll(seen);
        assertThat(seen).as("reads spread over both replicas").hasSize(2);
    }

    @Test
    @Order(3)
    @SuppressWarnings("try")
    void aClientReadsItsOwnWritesWhileReplayIsPaused() {
        awaitHealthyReplicas();
        int stale = 0;
        int withoutTokenFound = 0;
        try (TestCluster.Paused paused = cluster.pauseReplayOnReplicas()) {
            for (int i = 0; i < 10; i++) {
                ConsistencyTokenCarrier client = new ConsistencyTokenCarrier();
                String id = given().filter(client).body("item " + i).post("/items").then().statusCode(200)
                        .extract().asString();
                assertThat(client.token()).as("the write's token").isPresent();
                if (given().filter(client).get("/items/" + id).statusCode() != 200) {
                    stale++;
                }
                if (given().get("/items/" + id).statusCode() == 200) {
                    withoutTokenFound++;
                }
            }
        }
        assertThat(stale).as("reads with the token that missed the write").isZero();
        assertThat(withoutTokenFound).as("reads without the token that saw the write (replay paused)").isZero();
    }

    @Test
    @Order(4)
    void aReplicaKilledUnderReadsFailsNoRead() throws Exception {
        awaitHealthyReplicas();
        String id = given().body("kept").post("/items").then().statusCode(200).extract().asString();
        cluster.awaitReplayed(Duration.ofSeconds(30));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            running.add(readers.submit(() -> {
                while (!stop.get()) {
                    if (given().get("/items/" + id).statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        try {
            sleep(1000);
            int beforeKill = ok.get();
            cluster.kill("replica2");
            sleep(2000);
            stop.set(true);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            System.out.printf("replica kill under 3 readers: %d reads ok (%d after the kill), %d failed%n",
                    ok.get(), ok.get() - beforeKill, failed.get());
            assertThat(failed.get()).as("failed reads").isZero();
            assertThat(ok.get() - beforeKill).as("reads after the kill").isPositive();
        } finally {
            stop.set(true);
            readers.shutdownNow();
        }
    }

    @Test
    @Order(5)
    void withThePrimaryDownWritesAnswer503WithRetryAfter() {
        String id = given().body("before the outage").post("/items").then().statusCode(200).extract().asString();
        cluster.awaitReplayed(Duration.ofSeconds(30));
        cluster.kill("primary");
        long start = System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        Response r;
        do {
            // a write that took a pooled connection to the dead server before the library saw the outage fails as the
            // driver's I/O error (500); from then on the library answers PrimaryUnavailableException
            r = given().body("during the outage").post("/items");
            statuses.add(r.statusCode());
            assertThat(r.statusCode()).as("a write with the primary killed").isIn(500, 503);
            assertThat(System.nanoTime() - start).as("a 503 within 20 s").isLessThan(Duration.ofSeconds(20).toNanos());
        } while (r.statusCode() != 503);
        System.out.printf("primary killed: write statuses until the first 503 %s, %d ms%n", statuses,
                (System.nanoTime() - start) / 1_000_000);
        assertThat(r.header("Retry-After")).isEqualTo("2");
        assertThat(r.asString()).startsWith("Service unavailable: no primary database takes writes right now")
                .doesNotContain("primary[");
        // reads go on on the replica that is left
        given().get("/items/" + id).then().statusCode(200);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
