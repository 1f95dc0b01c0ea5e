package dev.replication.it.core;

import dev.replication.Replication;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test class with its own cluster (primary + 2 replicas) and database, and the factories its
 * tests create, closed after the class.
 */
@PgClusterTest(replicas = 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterTestBase {

    protected PgCluster cluster;
    protected String db;
    private final List<EntityManagerFactory> factories = new ArrayList<>();

    /** The name of this class's database. */
    protected abstract String database();

    @BeforeAll
    void createDatabase(PgCluster cluster) {
        this.cluster = cluster;
        this.db = cluster.createDatabase(database());
    }

    @AfterAll
    void closeFactories() {
        factories.forEach(EntityManagerFactory::close);
        factories.clear();
    }

    /** Closes {@code emf} after the class (or at {@link #closeFactories()}). */
    protected EntityManagerFactory track(EntityManagerFactory emf) {
        factories.add(emf);
        return emf;
    }

    /** A factory on this class's database with these settings, and a first monitor round done. */
    protected Replication replication(Map<String, ?> overrides) {
        EntityManagerFactory emf = track(Fixture.emf(cluster, db, overrides));
        beforeFirstCheck();
        Replication r = Replication.of(emf);
        r.monitor().checkNow();
        return r;
    }

    /** Runs after a factory was built (its schema created) and before the first monitor round. */
    protected void beforeFirstCheck() {
    }
}
