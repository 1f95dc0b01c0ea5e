package dev.replication.it.core;

import dev.replication.ReplicationConfig;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
