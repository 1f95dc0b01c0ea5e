package dev.replication.quarkus.it;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** With quarkus-micrometer and quarkus-smallrye-health in the application. */
@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
class ObservabilityTest {

    @Inject
    MeterRegistry registry;

    @Test
    void metersAreBoundToQuarkusRegistry() {
        assertThat(registry.find("replication.node.up").tag("node", "primary").gauge()).isNotNull();
        assertThat(registry.find("replication.node.up").tag("node", "replica1").gauge()).isNotNull();
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(scrape).contains("replication_node_up");
    }

    @Test
    void readinessReportsThePrimaryAndTheUsableReplicas() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.size()", equalTo(1))
                .body("checks.find { it.name == 'replication' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'replication' }.data.primary", equalTo("primary"))
                .body("checks.find { it.name == 'replication' }.data.'usable-replicas'", notNullValue());
    }
}
