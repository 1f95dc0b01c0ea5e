package dev.replication.it.core;

import dev.replication.Replication;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.AfterEach;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tests that kill, stop and promote nodes. Nodes change roles between tests, so the schema is
 * created once by {@link #createSchemaOnce()} and each test leaves the cluster with a primary and
 * two streaming replicas ({@link #heal()}).
 */
abstract class FailoverTestBase extends ClusterTestBase {

    protected final AtomicLong ids = new AtomicLong(1000);

    /** Re-attaches every node that is not a running replica of the current primary. */
    @AfterEach
    void heal() {
        closeFactories();
        if (!cluster.primary().isRunning()) {
            cluster.primary().start();
        }
        for (PgNode n : cluster.nodes()) {
            if (n != cluster.primary() && (n.role() != PgNode.Role.REPLICA || n.upstream().orElse(null) != cluster.primary()
                    || !n.isRunning())) {
                cluster.reattach(n);
            }
            if (n != cluster.primary()) {
                n.resumeReplay();
            }
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    @Override
    protected Replication replication(Map<String, ?> overrides) {
        Map<String, Object> o = new HashMap<>(Map.of("jakarta.persistence.schema-generation.database.action", "none"));
        o.putAll(overrides);
        return super.replication(o);
    }

    protected void createSchemaOnce() {
        try (Connection c = cluster.primary().connect(db)) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS account (balance bigint not null, id bigint not null,"
                    + " owner varchar(255), primary key (id))");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        cluster.awaitReplicated(Duration.ofSeconds(10));
    }

    /** Writes a new account row through {@code r}; returns its id. */
    protected long write(Replication r) {
        long id = ids.incrementAndGet();
        r.write(em -> {
            em.persist(new Account(id, "f", id));
            return null;
        });
        return id;
    }
}
