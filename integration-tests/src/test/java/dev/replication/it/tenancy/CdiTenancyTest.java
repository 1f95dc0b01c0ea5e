package dev.replication.it.tenancy;

import dev.replication.ReplicationConfig;
import dev.replication.Secret;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import dev.replication.testkit.PgNode;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replication.tenancy=discriminator} through the CDI extension (Weld SE): the application's own
 * resolver names the customer, {@code @ReadReplica} / {@code @Primary} choose the node. Rows are stamped
 * with the customer, replica reads see only the customer's rows, and a read after a write sees it with
 * the replicas held back.
 */
@PgClusterTest(replicas = 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CdiTenancyTest {

    private PgCluster cluster;
    private WeldContainer weld;
    private Invoices invoices;

    @BeforeAll
    void boot(PgCluster cluster) {
        this.cluster = cluster;
        String db = cluster.createDatabase("cdi_tenancy_it");
        ReplicationConfig.Builder b = ReplicationConfig.builder()
                .primary(cluster.primary().jdbcUrl(db))
                .credentials(cluster.user(), cluster.password());
        for (PgNode r : cluster.replicas()) {
            b.replica(r.name(), r.jdbcUrl(db));
        }
        Map<String, Object> props = b.toProperties();
        // the replication.* keys only: the unit keeps the application's own tenant resolver
        props.forEach((k, v) -> {
            if (k.startsWith("replication.")) {
                System.setProperty(k, v instanceof Secret s ? s.value() : String.valueOf(v));
            }
        });
        System.setProperty("dev.replication.cdi.persistence-unit", "cdi-tenancy-it");
        weld = new Weld().initialize();
        invoices = weld.select(Invoices.class).get();
    }

    @AfterAll
    void shutdown() {
        if (weld != null) {
            weld.shutdown();
        }
    }

    @Test
    void customersStayApartOnEveryNodeAndReadTheirWrites() throws Exception {
        Set<Integer> replicaPorts = cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());
        long acme = Customers.as("acme", () -> invoices.create(10));
        Customers.as("acme", () -> invoices.create(11));
        long globex = Customers.as("globex", () -> invoices.create(20));
        cluster.awaitReplicated(Duration.ofSeconds(30));
        for (int i = 0; i < 4; i++) {
            Invoices.Seen a = Customers.as("acme", () -> invoices.all());
            assertThat(a.customers()).containsExactly("acme", "acme");
            assertThat(replicaPorts).contains(a.port());
            Invoices.Seen g = Customers.as("globex", () -> invoices.all());
            assertThat(g.customers()).containsExactly("globex");
            assertThat(replicaPorts).contains(g.port());
        }
        assertThat(Customers.as("globex", () -> invoices.amount(acme))).isNull();
        assertThat(Customers.as("acme", () -> invoices.amount(globex))).isNull();

        cluster.replicas().forEach(PgNode::pauseReplay);
        try {
            long fresh = Customers.as("globex", () -> invoices.create(21));
            assertThat(Customers.as("globex", () -> invoices.amount(fresh))).as("globex reads its own write").isEqualTo(21L);
            assertThat(Customers.as("acme", () -> invoices.amount(fresh))).as("acme, globex's new invoice").isNull();
        } finally {
            cluster.replicas().forEach(PgNode::resumeReplay);
        }
    }
}
