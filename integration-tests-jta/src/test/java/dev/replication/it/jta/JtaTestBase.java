package dev.replication.it.jta;

import dev.replication.Replication;
import dev.replication.cdi.ReplicationLag;
import dev.replication.cdi.Routed;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real primary + 2 replicas, one Agroal pool per node enlisted in Narayana, a JTA persistence unit
 * whose nodes are those data sources, and Weld SE with Narayana's {@code @Transactional} interceptors.
 */
@PgClusterTest(replicas = 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JtaTestBase {

    protected PgCluster cluster;
    protected String db;
    protected Pools pools;
    protected EntityManagerFactory emf;
    protected WeldContainer weld;
    protected Replication replication;

    /** The name of this class's database. */
    protected abstract String database();

    /** Settings of this class's persistence unit besides the nodes' data sources. */
    protected Map<String, Object> settings() {
        return Map.of();
    }

    /** How the nodes' data sources reach the unit: as objects (default) or, overridden, as JNDI names. */
    protected void nodes(Map<String, Object> props) {
        props.put("replication.primary.datasource", pools.byNode.get("primary"));
        for (PgNode r : cluster.replicas()) {
            props.put("replication.replica." + r.name() + ".datasource", pools.byNode.get(r.name()));
        }
    }

    @BeforeAll
    void boot(PgCluster cluster) {
        this.cluster = cluster;
        this.db = cluster.createDatabase(database());
        this.pools = new Pools(cluster, db);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("replication.replicas", String.join(",", cluster.replicas().stream().map(PgNode::name).toList()));
        nodes(props);
        props.putAll(settings());
        emf = Persistence.createEntityManagerFactory("jta-it", props);
        Factories.current = emf;
        weld = new Weld().initialize();
        replication = weld.select(Replication.class, Routed.Literal.INSTANCE).get();
        cluster.awaitReplicated(Duration.ofSeconds(30));
        ReplicationLag lag = weld.select(ReplicationLag.class).get();
        Await.until("replicas healthy", Duration.ofSeconds(20), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
    }

    @AfterAll
    void shutdown() {
        if (weld != null) {
            weld.shutdown();
        }
        if (emf != null) {
            emf.close();
        }
        if (pools != null) {
            pools.close();
        }
        Factories.current = null;
    }

    static boolean transactionActive() {
        try {
            int s = Pools.TM.getStatus();
            return s == Status.STATUS_ACTIVE || s == Status.STATUS_MARKED_ROLLBACK;
        } catch (SystemException e) {
            throw new IllegalStateException(e);
        }
    }

    protected int primaryPort() {
        return cluster.primary().port();
    }
}
