package dev.replication.it.core;

import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which standby serves reads and which one is promoted: failover-only standbys, failover priority,
 * the lag limit on promotion and synchronous standbys. Each test leaves the cluster with a primary
 * and two streaming replicas.
 */
class FailoverChoiceTest extends ClusterTestBase {

    private final AtomicLong ids = new AtomicLong(1000);

    @Override
    protected String database() {
        return "failover_choice";
    }

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

    void createSchemaOnce() {
        try (Connection c = cluster.primary().connect(db)) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS account (balance bigint not null, id bigint not null,"
                    + " owner varchar(255), primary key (id))");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        cluster.awaitReplicated(Duration.ofSeconds(10));
    }

    long write(Replication r) {
        long id = ids.incrementAndGet();
        r.write(em -> {
            em.persist(new Account(id, "c", id));
            return null;
        });
        return id;
    }

    static long count(PgNode node, String db, String where) {
        try (Connection c = node.connect(db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM account WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(node.name() + ": " + e.getMessage(), e);
        }
    }

    record Promotion(String oldPrimary, String newPrimary, boolean ours) {
    }

    static final class Events implements RoutingListener {
        final List<Promotion> promotions = new CopyOnWriteArrayList<>();
        final List<String> states = new CopyOnWriteArrayList<>();

        @Override
        public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
            promotions.add(new Promotion(oldPrimary, newPrimary, promotedByUs));
        }

        @Override
        public void nodeStateChanged(String node, String state, String reason) {
            states.add(node + " " + state + ": " + reason);
        }
    }

    @Test
    void aFailoverOnlyStandbyIsMonitoredButNeverReadFrom() {
        createSchemaOnce();
        PgNode standby = cluster.replicas().get(0);
        PgNode reader = cluster.replicas().get(1);
        Replication r = replication(Map.of("replication.replica." + standby.name() + ".reads", "false",
                "replication.replica." + standby.name() + ".pool.max-size", "1",
                "replication.replica." + standby.name() + ".pool.min-idle", "0"));
        write(r);
        for (int i = 0; i < 50; i++) {
            assertThat((int) r.read(em -> Fixture.where(em).port())).isEqualTo(reader.port());
        }
        reader.kill();
        r.monitor().checkNow();
        // with the only read replica down, reads go to the primary, never to the failover-only standby
        for (int i = 0; i < 10; i++) {
            assertThat((int) r.read(em -> Fixture.where(em).port())).isEqualTo(cluster.primary().port());
        }
        NodeStatus s = r.status().node(standby.name()).orElseThrow();
        assertThat(s.up()).as("monitored").isTrue();
        assertThat(s.replayLsn()).isNotNegative();
    }

    @Test
    void priorityZeroIsNeverPromotedAndPriorityBreaksTies() {
        createSchemaOnce();
        PgNode never = cluster.replicas().get(0);
        PgNode other = cluster.replicas().get(1);
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.replica." + never.name() + ".failover-priority", "0"));
        Events events = new Events();
        r.addListener(events);
        // the priority-0 standby is the more caught-up one: without the priority it would be chosen
        other.pauseReplay();
        for (int i = 0; i < 20; i++) {
            write(r);
        }
        cluster.awaitReplicated(never, Duration.ofSeconds(10));
        r.monitor().checkNow();
        cluster.primary().kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        assertThat(events.promotions.get(0).newPrimary()).isEqualTo(other.name());
        cluster.adoptPromotion(other);
        assertThat(never.isInRecovery()).isTrue();
    }

    @Test
    void amongEquallyCaughtUpStandbysTheHigherPriorityWins() {
        createSchemaOnce();
        PgNode first = cluster.replicas().get(0);
        PgNode preferred = cluster.replicas().get(1);
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.replica." + preferred.name() + ".failover-priority", "7"));
        Events events = new Events();
        r.addListener(events);
        write(r);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        r.monitor().checkNow();
        cluster.primary().kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        assertThat(events.promotions.get(0).newPrimary()).isEqualTo(preferred.name());
        cluster.adoptPromotion(preferred);
        assertThat(first.isInRecovery()).isTrue();
    }
}
