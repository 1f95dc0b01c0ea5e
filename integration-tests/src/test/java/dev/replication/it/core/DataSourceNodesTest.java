package dev.replication.it.core;

import dev.replication.ConsistencyScope;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes served by data sources the application owns (given as objects), with resource-local
 * transactions: routing, tokens and the monitor work as with the library's own pools, and
 * least-loaded counts the connections the library handed out itself (no pool counters).
 */
class DataSourceNodesTest extends ClusterTestBase {

    @Override
    protected String database() {
        return "datasource_nodes";
    }

    private final List<HikariDataSource> pools = new ArrayList<>();

    @AfterAll
    void closePools() {
        pools.forEach(HikariDataSource::close);
    }

    /** A pool the application owns (the library only borrows from it). */
    private DataSource dataSource(PgNode node) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(node.jdbcUrl(db));
        c.setUsername(cluster.user());
        c.setPassword(cluster.password());
        c.setMaximumPoolSize(8);
        c.setConnectionTimeout(1000);
        c.setPoolName("app-" + node.name());
        HikariDataSource ds = new HikariDataSource(c);
        pools.add(ds);
        return ds;
    }

    private Replication replicationOverDataSources(Map<String, Object> settings) {
        ReplicationConfig.Builder b = ReplicationConfig.builder().primary(dataSource(cluster.primary()));
        for (PgNode r : cluster.replicas()) {
            b.replica(r.name(), dataSource(r));
        }
        settings.forEach(b::set);
        EntityManagerFactory emf = track(Persistence.createEntityManagerFactory("core-it", b.toProperties()));
        Replication r = Replication.of(emf);
        r.monitor().checkNow();
        return r;
    }

    @Test
    void readsWritesAndTokensWorkOverDataSources() {
        Replication r = replicationOverDataSources(Map.of());
        cluster.awaitReplicated(Duration.ofSeconds(10));
        r.monitor().checkNow();
        assertThat(r.status().nodes()).allMatch(NodeStatus::up);
        cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ofMillis(50)));
        try (var bound = new ConsistencyScope().bind()) {
            for (int i = 1; i <= 20; i++) {
                long v = i;
                r.write(em -> {
                    Account a = em.find(Account.class, 1L);
                    if (a == null) {
                        em.persist(new Account(1, "ds", v));
                    } else {
                        a.setBalance(v);
                    }
                    return null;
                });
                Fixture.Where where = r.read(em -> {
                    assertThat(em.find(Account.class, 1L).getBalance()).isEqualTo(v);
                    return Fixture.where(em);
                });
                assertThat(where.inRecovery()).as("read %d on a replica: %s", i, r.status().describe()).isTrue();
            }
        } finally {
            cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ZERO));
        }
    }

    @Test
    void leastLoadedCountsTheConnectionsItHandedOut() throws Exception {
        Replication r = replicationOverDataSources(Map.of("replication.selector", "least-loaded"));
        cluster.awaitReplicated(Duration.ofSeconds(10));
        r.monitor().checkNow();
        String busy = cluster.replicas().get(0).name();
        try (AutoCloseable held = Fixture.holdBusy(r.entityManagerFactory(), busy, 3)) {
            assertThat(r.status().node(busy).orElseThrow().poolActive()).isEqualTo(3);
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 30; i++) {
                counts.merge(r.read(em -> Fixture.where(em).nodeName(cluster)), 1, Integer::sum);
            }
            assertThat(counts).containsOnlyKeys(cluster.replicas().get(1).name());
        }
        assertThat(r.status().node(busy).orElseThrow().poolActive()).isZero();
    }
}
