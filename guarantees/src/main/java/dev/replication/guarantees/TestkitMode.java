package dev.replication.guarantees;

import dev.replication.testkit.PgCluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The facade on a testkit cluster (static topology, resource-local, the library's own pools, the
 * second-level cache on): replay paused to hold replicas, a replica SIGKILLed and started again.
 */
public final class TestkitMode extends FacadeMode implements ClusterFaultsMode {
    private final ClusterFaults faults;

    private TestkitMode(String name, PgCluster cluster, Map<String, Object> settings, Class<?>... moreEntities) {
        super(name, settings, moreEntities);
        this.faults = new ClusterFaults(cluster);
    }

    /** Creates database {@code db} with the table on {@code cluster} and starts the mode on it. */
    public static TestkitMode start(String name, PgCluster cluster, String db) throws SQLException {
        String database = cluster.createDatabase(db);
        try (Connection c = cluster.primary().connect(database)) {
            c.createStatement().execute(GuaranteeRow.DDL);
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
        return on(name, cluster, database, Map.of());
    }

    /**
     * The mode on an existing database of {@code cluster} whose table(s) the caller made, with
     * {@code extra} settings over the defaults (for example an application's tenancy).
     */
    public static TestkitMode on(String name, PgCluster cluster, String database, Map<String, Object> extra,
                                 Class<?>... moreEntities) {
        Map<String, Object> s = settings(cluster, database);
        s.putAll(extra);
        return new TestkitMode(name, cluster, s, moreEntities);
    }

    /** Every replica of the cluster as r1, r2...; a 2LC (JCache on Caffeine); a max-lag that keeps held replicas readable. */
    private static Map<String, Object> settings(PgCluster cluster, String db) {
        Map<String, Object> s = commonSettings();
        s.put("replication.primary.url", cluster.primary().jdbcUrl(db));
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < cluster.replicas().size(); i++) {
            String name = "r" + (i + 1);
            names.append(i == 0 ? "" : ",").append(name);
            s.put("replication.replica." + name + ".url", cluster.replicas().get(i).jdbcUrl(db));
        }
        s.put("replication.replicas", names.toString());
        s.put("replication.user", cluster.user());
        s.put("replication.password", cluster.password());
        return s;
    }

    /** A 2LC (JCache on Caffeine), a max-lag that keeps held replicas readable, no JMX. */
    public static Map<String, Object> commonSettings() {
        Map<String, Object> s = new HashMap<>();
        s.put("replication.max-lag", "60s");
        s.put("replication.jmx.enabled", "false");
        s.put("hibernate.cache.use_second_level_cache", "true");
        s.put("hibernate.cache.region.factory_class", "jcache");
        s.put("hibernate.javax.cache.provider", "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider");
        s.put("hibernate.javax.cache.missing_cache_strategy", "create");
        return s;
    }

    @Override
    public ClusterFaults faults() {
        return faults;
    }
}
