package dev.replication.it.core;

import dev.replication.Intent;
import dev.replication.ReadOnlyViolationException;
import dev.replication.Replication;
import dev.replication.Routing;
import dev.replication.RoutingDecision;
import dev.replication.RoutingOptions;
import dev.replication.RoutingReason;
import dev.replication.RoutingScope;
import dev.replication.hibernate.ReplicationConnectionProvider;
import dev.replication.spi.RoutingListener;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoreRoutingTest extends ClusterTestBase {


    @Override
    protected String database() {
        return "core_routing";
    }

    @Override
    protected void beforeFirstCheck() {
        cluster.awaitReplicated(Duration.ofSeconds(10));
    }

    private Map<String, Integer> spread(Replication r, int reads) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < reads; i++) {
            String node = r.read(em -> Fixture.where(em).nodeName(cluster));
            counts.merge(node, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void writesLandOnThePrimaryAndReadsOnReplicas() {
        Replication r = replication(Map.of());
        Fixture.Where w = r.write(em -> {
            em.persist(new Account(1, "ada", 100));
            return Fixture.where(em);
        });
        assertThat(w.port()).isEqualTo(cluster.primary().port());
        assertThat(w.inRecovery()).isFalse();

        // placement, not read-your-writes: the write's token must not send the read to the primary on a slow machine
        cluster.awaitReplicated(Duration.ofSeconds(10));
        Fixture.Where read = r.read(em -> Fixture.where(em));
        assertThat(read.inRecovery()).isTrue();
        assertThat(read.port()).isIn(cluster.replicas().stream().map(n -> n.port()).toList());

        Fixture.Where strong = r.readStrong(em -> Fixture.where(em));
        assertThat(strong.port()).isEqualTo(cluster.primary().port());
        String owner = r.readStrong(em -> em.find(Account.class, 1L).getOwner());
        assertThat(owner).isEqualTo("ada");
    }

    @Test
    void anyConnectionAndDdlGoToThePrimary() throws Exception {
        Replication r = replication(Map.of());
        SessionFactoryImplementor sf = r.entityManagerFactory().unwrap(SessionFactoryImplementor.class);
        MultiTenantConnectionProvider<?> mtcp = sf.getServiceRegistry().getService(MultiTenantConnectionProvider.class);
        assertThat(mtcp).isInstanceOf(ReplicationConnectionProvider.class);
        Connection c = mtcp.getAnyConnection();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT inet_server_port(), pg_is_in_recovery()")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(cluster.primary().port());
            assertThat(rs.getBoolean(2)).isFalse();
        } finally {
            mtcp.releaseAnyConnection(c);
        }
        // schema generation ran on the primary and replicated: the table exists on every node
        for (var node : cluster.nodes()) {
            try (Connection direct = node.connect(db);
                 ResultSet rs = direct.createStatement().executeQuery("SELECT to_regclass('account') IS NOT NULL")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as(node.name()).isTrue();
            }
        }
    }

    @Test
    void roundRobinSpreadsEvenly() {
        Replication r = replication(Map.of("replication.selector", "round-robin"));
        Map<String, Integer> counts = spread(r, 100);
        assertThat(counts).containsOnlyKeys(cluster.replicas().get(0).name(), cluster.replicas().get(1).name());
        counts.values().forEach(c -> assertThat(c).isBetween(49, 51));
    }

    @Test
    void weightedThreeToOne() {
        String a = cluster.replicas().get(0).name();
        String b = cluster.replicas().get(1).name();
        Replication r = replication(Map.of("replication.selector", "weighted",
                "replication.replica." + a + ".weight", "3", "replication.replica." + b + ".weight", "1"));
        Map<String, Integer> counts = spread(r, 100);
        assertThat(counts.get(a)).isBetween(70, 80);
        assertThat(counts.get(b)).isBetween(20, 30);
    }

    @Test
    void randomUsesBoth() {
        Replication r = replication(Map.of("replication.selector", "random"));
        Map<String, Integer> counts = spread(r, 100);
        assertThat(counts).hasSize(2);
        counts.values().forEach(c -> assertThat(c).isGreaterThan(10));
    }

    @Test
    void leastLoadedAvoidsABusyReplica() throws Exception {
        Replication r = replication(Map.of("replication.selector", "least-loaded"));
        String busy = cluster.replicas().get(0).name();
        try (AutoCloseable held = Fixture.holdBusy(r.entityManagerFactory(), busy, 3)) {
            Map<String, Integer> counts = spread(r, 30);
            assertThat(counts).containsOnlyKeys(cluster.replicas().get(1).name());
        }
    }

    @Test
    void readOnlySessionOptionReachesAReplica() {
        EntityManagerFactory emf = Fixture.emf(cluster, db, Map.of(),
                Map.of("hibernate.cache.use_second_level_cache", "false"));
        track(emf);
        Replication.of(emf).monitor().checkNow();
        SessionFactory sf = emf.unwrap(SessionFactory.class);
        try (Session s = sf.withOptions().readOnly(true).openSession()) {
            Fixture.Where w = Fixture.where(s);
            assertThat(w.inRecovery()).isTrue();
        }
        try (Session s = sf.openSession()) {
            assertThat(Fixture.where(s).inRecovery()).isFalse();
        }
    }

    @Test
    void programmaticScopesRouteSessionsOpenedInside() {
        Replication r = replication(Map.of());
        EntityManagerFactory emf = r.entityManagerFactory();
        try (RoutingScope scope = Routing.open(Intent.READ)) {
            EntityManager em = emf.createEntityManager();
            try {
                assertThat(Fixture.where(em).inRecovery()).isTrue();
                assertThat(scope.decision()).isPresent();
                try (RoutingScope write = Routing.open(Intent.WRITE)) {
                    EntityManager wem = emf.createEntityManager();
                    try {
                        assertThat(Fixture.where(wem).inRecovery()).isFalse();
                    } finally {
                        wem.close();
                    }
                }
            } finally {
                em.close();
            }
        }
        EntityManager outside = emf.createEntityManager();
        try {
            assertThat(Fixture.where(outside).inRecovery()).isFalse();
        } finally {
            outside.close();
        }
    }

    @Test
    void readInsideWriteStaysOnThePrimaryInTheSameTransaction() {
        Replication r = replication(Map.of());
        long seen = r.write(em -> {
            em.persist(new Account(50, "nested", 5));
            em.flush();
            return r.read(inner -> {
                assertThat(Fixture.where(inner).inRecovery()).isFalse();
                return inner.createQuery("select count(a) from Account a where a.id = 50", Long.class).getSingleResult();
            });
        });
        assertThat(seen).isEqualTo(1L);
        // a write inside a read goes to the primary
        r.read(em -> r.write(w -> {
            assertThat(Fixture.where(w).inRecovery()).isFalse();
            return null;
        }));
    }

    @Test
    void aReadMayLeaveItsEnclosingTransactionForAReplica() {
        Replication r = replication(Map.of());
        List<RoutingDecision> decisions = new CopyOnWriteArrayList<>();
        RoutingListener listener = new RoutingListener() {
            @Override
            public void routed(RoutingDecision d) {
                decisions.add(d);
            }
        };
        r.addListener(listener);
        try {
            long[] seen = r.write(em -> {
                em.persist(new Account(51, "uncommitted", 5));
                em.flush();
                return r.read(RoutingOptions.DEFAULT.leavingTransaction(), inner -> new long[]{
                        Fixture.where(inner).inRecovery() ? 1 : 0,
                        inner.createQuery("select count(a) from Account a where a.id = 51", Long.class).getSingleResult()});
            });
            assertThat(seen[0]).as("read on a replica").isEqualTo(1);
            assertThat(seen[1]).as("the enclosing transaction's uncommitted write is not visible").isZero();
            assertThat(decisions).anyMatch(d -> d.reason() == RoutingReason.TRANSACTION_SUSPENDED && d.replica());
        } finally {
            r.removeListener(listener);
        }
    }

    @Test
    void writeInAReadScopeFailsWithTheLibraryException() {
        Replication r = replication(Map.of());
        assertThatThrownBy(() -> r.read(em -> {
            em.persist(new Account(99, "sneaky", 1));
            em.flush();
            return null;
        })).isInstanceOf(ReadOnlyViolationException.class)
                .hasMessageContaining("write attempted in a READ scope")
                .hasRootCauseInstanceOf(org.postgresql.util.PSQLException.class)
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(cluster.replicas().get(0).name(),
                        cluster.replicas().get(1).name()));
    }

    @Test
    void secondLevelCacheNeverServesAStaleReplicaEntry() {
        EntityManagerFactory emf = Fixture.emf(cluster, db, Map.of(), Map.of(
                "hibernate.cache.use_second_level_cache", "true",
                "hibernate.cache.region.factory_class", "jcache",
                "hibernate.javax.cache.provider", "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider",
                "hibernate.javax.cache.missing_cache_strategy", "create",
                "hibernate.generate_statistics", "true"));
        track(emf);
        Replication r = Replication.of(emf);
        r.monitor().checkNow();
        r.write(em -> {
            em.persist(new Account(200, "cached", 1));
            return null;
        });
        cluster.awaitReplicated(Duration.ofSeconds(10));
        // read on both replicas (round-robin) and on the primary: each would cache under its tenant
        for (int i = 0; i < 4; i++) {
            long balance = r.read(em -> em.find(Account.class, 200L).getBalance());
            assertThat(balance).isEqualTo(1L);
        }
        long strong = r.readStrong(em -> em.find(Account.class, 200L).getBalance());
        assertThat(strong).isEqualTo(1L);
        var stats = emf.unwrap(SessionFactory.class).getStatistics();
        assertThat(stats.getSecondLevelCachePutCount()).as("the primary session cached the entity").isPositive();

        r.write(em -> {
            em.find(Account.class, 200L).setBalance(2);
            return null;
        });
        cluster.awaitReplicated(Duration.ofSeconds(10));
        for (int i = 0; i < 4; i++) {
            long balance = r.read(em -> {
                assertThat(em.unwrap(Session.class).getCacheMode()).isEqualTo(org.hibernate.CacheMode.IGNORE);
                return em.find(Account.class, 200L).getBalance();
            });
            assertThat(balance).as("read %d on a replica after the update", i).isEqualTo(2L);
        }
        long afterStrong = r.readStrong(em -> em.find(Account.class, 200L).getBalance());
        assertThat(afterStrong).isEqualTo(2L);
    }

    @Test
    void readOnlySessionsStayOnThePrimaryWhenTheSecondLevelCacheIsOn() {
        EntityManagerFactory emf = Fixture.emf(cluster, db, Map.of(),
                Map.of("hibernate.cache.use_second_level_cache", "true"));
        track(emf);
        Replication.of(emf).monitor().checkNow();
        SessionFactory sf = emf.unwrap(SessionFactory.class);
        try (Session s = sf.withOptions().readOnly(true).openSession()) {
            assertThat(Fixture.where(s).inRecovery()).isFalse();
        }
    }

    @Test
    void primaryCanTakeAShareOfReads() {
        Replication r = replication(Map.of("replication.primary.read-weight", "1"));
        Map<String, Integer> counts = spread(r, 99);
        assertThat(counts).hasSize(3);
        counts.values().forEach(c -> assertThat(c).isBetween(32, 34));
    }

    @Test
    void readsOnThePrimaryAreReadOnlyToo() {
        Replication r = replication(Map.of());
        assertThatThrownBy(() -> r.readStrong(em -> {
            em.persist(new Account(98, "strong-but-read-only", 1));
            em.flush();
            return null;
        })).isInstanceOf(ReadOnlyViolationException.class).hasMessageContaining("READ_STRONG");
    }
}
