package dev.replication.it.jta;

import dev.replication.ReplicationConfigurationException;
import dev.replication.testkit.PgNode;
import jakarta.persistence.Persistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Nodes given as JNDI names of container data sources, as persistence.xml in an application server would. */
class JtaJndiTest extends JtaTestBase {

    @Override
    protected String database() {
        return "jta_jndi";
    }

    @Override
    protected void nodes(Map<String, Object> props) {
        InMemoryJndi.install();
        pools.byNode.forEach((node, ds) -> InMemoryJndi.BOUND.put("java:jboss/datasources/" + node, ds));
        props.put("replication.primary.datasource", "java:jboss/datasources/primary");
        for (PgNode r : cluster.replicas()) {
            props.put("replication.replica." + r.name() + ".datasource", "java:jboss/datasources/" + r.name());
        }
    }

    @AfterAll
    void unbind() {
        InMemoryJndi.uninstall();
    }

    @Test
    void nodesLookedUpByJndiNameServeReadsAndWrites() {
        LedgerService ledger = weld.select(LedgerService.class).get();
        Where w = ledger.put(1, 5);
        assertThat(w.port()).isEqualTo(primaryPort());
        cluster.awaitReplicated(Duration.ofSeconds(10));
        assertThat(ledger.whereReadTx().inRecovery()).isTrue();
        assertThat(ledger.amount(1)).isEqualTo(5);
    }

    @Test
    void aJndiNameThatDoesNotResolveFailsAtStartupNamingTheKey() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("replication.replicas", cluster.replicas().get(0).name());
        props.put("replication.primary.datasource", "java:jboss/datasources/primary");
        props.put("replication.replica." + cluster.replicas().get(0).name() + ".datasource", "java:jboss/datasources/nope");
        props.put("jakarta.persistence.schema-generation.database.action", "none");
        assertThatThrownBy(() -> Persistence.createEntityManagerFactory("jta-it", props).close())
                .hasStackTraceContaining("replication.replica." + cluster.replicas().get(0).name() + ".datasource")
                .hasStackTraceContaining("java:jboss/datasources/nope")
                .satisfies(e -> {
                    Throwable t = e;
                    while (t != null && !(t instanceof ReplicationConfigurationException)) {
                        t = t.getCause();
                    }
                    assertThat(t).as("a ReplicationConfigurationException in the chain").isNotNull();
                });
    }
}
