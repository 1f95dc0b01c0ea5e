package dev.replication.quarkus.it;

import dev.replication.cdi.ReplicationLag;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Read-your-writes across HTTP requests with every replica's replay paused. */
@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class HttpConsistencyTest {

    private static final String HEADER = "X-Consistency-Token";
    private static final String COOKIE = "replication-token";

    PgCluster cluster;

    @Inject
    ReplicationLag lag;

    @BeforeEach
    void pauseReplicas() {
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Await.until("replicas healthy", Duration.ofSeconds(20), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
        cluster.replicas().forEach(PgNode::pauseReplay);
    }

    @AfterEach
    void resumeReplicas() {
        cluster.replicas().forEach(PgNode::resumeReplay);
    }

    private static String post(String text) {
        return given().body(text).post("/notes").then().statusCode(200).extract().asString();
    }

    @Test
    void theResponseHeaderCarriesTheWriteToTheNextRequest() {
        Response created = given().body("by header").post("/notes");
        created.then().statusCode(200);
        String id = created.asString();
        String token = created.header(HEADER);
        assertThat(token).as("token header").isNotBlank();

        given().get("/notes/" + id).then().statusCode(404); // a replica that has not replayed the write
        given().header(HEADER, token).get("/notes/" + id).then().statusCode(200).header(HEADER, token);
    }

    @Test
    void theCookieCarriesTheWriteToTheNextRequest() {
        Response created = given().body("by cookie").post("/notes");
        String id = created.asString();
        String setCookie = created.header("Set-Cookie");
        assertThat(setCookie).startsWith(COOKIE + "=").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");
        String cookie = created.cookie(COOKIE);

        given().cookie(COOKIE, cookie).get("/notes/" + id).then().statusCode(200);
    }

    @Test
    void untrustedTokensAreIgnoredWithAWarningNeverAFailure() {
        String id = post("tokens");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warnings.add(r.getMessage() == null ? "" : String.valueOf(r.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.replication.quarkus");
        logger.addHandler(capture);
        try {
            for (String bad : List.of("garbage", "1/2/3", "x".repeat(5_000), "-1/FF", "\u00e9/1")) {
                given().header(HEADER, bad).get("/notes/" + id).then().statusCode(404);
                given().cookie(COOKIE, bad.length() > 1000 ? bad.substring(0, 1000) : bad).get("/notes/" + id)
                        .then().statusCode(404);
            }
            // far ahead of the primary: capped to the primary's position, so the read is served by the primary
            given().header(HEADER, "FFFFFFFF/FFFFFFFF").get("/notes/" + id).then().statusCode(200);
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(warnings).anySatisfy(m -> assertThat(m).contains("HRR001000"));
    }
}
