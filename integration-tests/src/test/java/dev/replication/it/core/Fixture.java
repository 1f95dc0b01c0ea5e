package dev.replication.it.core;

import dev.replication.ReplicationConfig;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import org.hibernate.Session;
import org.hibernate.SessionFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Builds an EntityManagerFactory on a fresh database of a testkit cluster. */
public final class Fixture {
    private Fixture() {
    }

    /** Replica names are the testkit node names of the cluster's replicas. */
    public static Map<String, Object> properties(PgCluster cluster, String database, Map<String, ?> overrides) {
        ReplicationConfig.Builder b = ReplicationConfig.builder()
                .primary(cluster.primary().jdbcUrl(database))
                .credentials(cluster.user(), cluster.password());
        for (PgNode r : cluster.replicas()) {
            b.replica(r.name(), r.jdbcUrl(database));
        }
        overrides.forEach(b::set);
        Map<String, Object> props = new LinkedHashMap<>(b.toProperties());
        return props;
    }

    public static EntityManagerFactory emf(PgCluster cluster, String database, Map<String, ?> overrides) {
        return emf(cluster, database, overrides, Map.of());
    }

    public static EntityManagerFactory emf(PgCluster cluster, String database, Map<String, ?> overrides,
                                           Map<String, Object> hibernate) {
        Map<String, Object> props = properties(cluster, database, overrides);
        props.putAll(hibernate);
        return Persistence.createEntityManagerFactory("core-it", props);
    }

    /**
     * Holds {@code count} connections of {@code tenant}'s node busy, each in an open transaction on
     * its own thread, until the returned handle is closed.
     */
    public static AutoCloseable holdBusy(EntityManagerFactory emf, String tenant, int count) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(count);
        for (int i = 0; i < count; i++) {
            pool.submit(() -> {
                Session s = emf.unwrap(SessionFactory.class).withOptions().tenantIdentifier((Object) tenant).openSession();
                try {
                    s.beginTransaction();
                    s.createNativeQuery("SELECT 1", Integer.class).getSingleResult();
                    holding.countDown();
                    release.await(30, TimeUnit.SECONDS);
                    s.getTransaction().rollback();
                } finally {
                    s.close();
                }
                return null;
            });
        }
        if (!holding.await(10, TimeUnit.SECONDS)) {
            release.countDown();
            pool.shutdownNow();
            throw new IllegalStateException("could not hold " + count + " connections of " + tenant + " within 10 s");
        }
        return () -> {
            release.countDown();
            pool.shutdown();
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the holders of " + tenant + " did not finish");
            }
        };
    }

    /** Port of the server the EntityManager's connection talks to, and whether it is in recovery. */
    public static Where where(EntityManager em) {
        Object[] row = (Object[]) em.createNativeQuery("SELECT inet_server_port(), pg_is_in_recovery()").getSingleResult();
        return new Where(((Number) row[0]).intValue(), (Boolean) row[1]);
    }

    public record Where(int port, boolean inRecovery) {
        public String nodeName(PgCluster cluster) {
            List<PgNode> nodes = cluster.nodes();
            return nodes.stream().filter(n -> n.port() == port).findFirst().map(PgNode::name).orElse("?" + port);
        }
    }
}
