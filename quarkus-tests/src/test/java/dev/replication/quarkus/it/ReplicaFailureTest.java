package dev.replication.quarkus.it;

import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** A replica killed while HTTP clients read and write: no request fails. */
@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class ReplicaFailureTest {

    PgCluster cluster;

    @Inject
    ReplicationLag lag;

    @TestHTTPResource("/notes")
    URL notes;

    private void awaitHealthy() {
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Await.until("replicas healthy", Duration.ofSeconds(30), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
    }

    @Test
    void aReplicaKilledUnderHttpLoadFailsNoRequest() throws Exception {
        awaitHealthy();
        String id = given().body("under load").post("/notes").then().statusCode(200).extract().asString();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            boolean writer = t == 0;
            clients.add(pool.submit(() -> {
                while (!stop.get()) {
                    try {
                        HttpRequest request = writer
                                ? HttpRequest.newBuilder(URI.create(notes.toString())).POST(HttpRequest.BodyPublishers.ofString("w")).build()
                                : HttpRequest.newBuilder(URI.create(notes + "/" + id)).GET().build();
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failures.merge(r.statusCode() + " " + r.body().lines().findFirst().orElse(""), 1, Integer::sum);
                        }
                        (writer ? writes : reads).incrementAndGet();
                    } catch (Exception e) {
                        failures.merge(e.toString(), 1, Integer::sum);
                    }
                }
                return null;
            }));
        }
        PgNode victim = cluster.replicas().get(0);
        try {
            Await.until("some reads before the kill", Duration.ofSeconds(20), () -> reads.get() >= 100);
            victim.kill();
            int before = reads.get();
            Await.until("reads after the kill", Duration.ofSeconds(30), () -> reads.get() >= before + 500);
        } finally {
            stop.set(true);
            for (Future<?> f : clients) {
                f.get();
            }
            pool.shutdown();
            victim.start();
        }
        assertThat(failures).as("failed requests (of %d reads, %d writes)", reads.get(), writes.get()).isEmpty();
        awaitHealthy();
    }
}
