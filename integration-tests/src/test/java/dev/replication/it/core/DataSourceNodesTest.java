package dev.replication.it.core;

import dev.replication.ConsistencyScope;
import dev.replication.NodeStatus;
import dev.replication.ReadOnlyViolationException;
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
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    private DataSource dataSource(PgNode node, String database) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(node.jdbcUrl(database));
        c.setUsername(cluster.user());
        c.setPassword(cluster.password());
        c.setMaximumPoolSize(8);
        c.setConnectionTimeout(1000);
        c.setPoolName("app-" + node.name());
        HikariDataSource ds = new HikariDataSource(c);
        pools.add(ds);
        return ds;
    }

    /**
     * An application server's pool that hides the driver's connection, as WildFly's IronJacamar does for
     * a driver class the application sees through another class loader: unwrap to anything but
     * {@code Connection} fails with {@code IJ031030}.
     */
    private static DataSource hidingTheDriver(DataSource ds) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, m, args) -> {
                    Object result = invoke(ds, m, args);
                    if (m.getName().equals("getConnection")) {
                        Connection c = (Connection) result;
                        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                                (p2, m2, a2) -> {
                                    if (m2.getName().equals("isWrapperFor")) {
                                        return a2[0] == Connection.class;
                                    }
                                    if (m2.getName().equals("unwrap")) {
                                        if (a2[0] == Connection.class) {
                                            return p2;
                                        }
                                        throw new SQLException("IJ031030: Not a wrapper for: " + a2[0]);
                                    }
                                    return invoke(c, m2, a2);
                                });
                    }
                    return result;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Replication replicationOverDataSources(Map<String, Object> settings) {
        return replicationOverDataSources(settings, false);
    }

    /** With {@code hideDriver}, on a database of its own (the unit drops and creates its schema). */
    private Replication replicationOverDataSources(Map<String, Object> settings, boolean hideDriver) {
        String database = hideDriver ? cluster.createDatabase(db + "_hidden") : db;
        ReplicationConfig.Builder b = ReplicationConfig.builder().primary(hideDriver
                ? hidingTheDriver(dataSource(cluster.primary(), database)) : dataSource(cluster.primary(), database));
        for (PgNode r : cluster.replicas()) {
            b.replica(r.name(), hideDriver ? hidingTheDriver(dataSource(r, database)) : dataSource(r, database));
        }
        settings.forEach(b::set);
        EntityManagerFactory emf = track(Persistence.createEntityManagerFactory("core-it", b.toProperties()));
        Replication r = Replication.of(emf);
        r.monitor().checkNow();
        return r;
    }

    @Test
    void readsWritesAndTokensWorkOverDataSources() {
        readsWritesAndTokens(replicationOverDataSources(Map.of()), 1L);
    }

    /** Tokens and read-only reads without reaching pgjdbc's connection: the commit, then the position. */
    @Test
    void readsWritesAndTokensWorkWhenThePoolHidesTheDriver() {
        Replication r = replicationOverDataSources(Map.of(), true);
        // another id: the units of this JVM share one JCache cache manager, so entries of the same id would mix
        readsWritesAndTokens(r, 2L);
        assertThatThrownBy(() -> r.readStrong(em -> {
            em.persist(new Account(99, "ro", 1));
            em.flush();
            return null;
        })).isInstanceOf(ReadOnlyViolationException.class);
    }

    private void readsWritesAndTokens(Replication r, long id) {
        cluster.awaitReplicated(Duration.ofSeconds(10));
        r.monitor().checkNow();
        assertThat(r.status().nodes()).allMatch(NodeStatus::up);
        cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ofMillis(50)));
        try (var bound = new ConsistencyScope().bind()) {
            for (int i = 1; i <= 20; i++) {
                long v = i;
                r.write(em -> {
                    Account a = em.find(Account.class, id);
                    if (a == null) {
                        em.persist(new Account(id, "ds", v));
                    } else {
                        a.setBalance(v);
                    }
                    return null;
                });
                Fixture.Where where = r.read(em -> {
                    assertThat(em.find(Account.class, id).getBalance()).isEqualTo(v);
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
