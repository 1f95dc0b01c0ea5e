package dev.replication.quarkus.it;

import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real primary and two streaming replicas for the application under test: the Quarkus data
 * sources {@code primary}, {@code replica1}, {@code replica2} point at the primary and the replicas in
 * {@link PgCluster#replicas()} order (init argument {@value #PRIMARY_DATASOURCE} names another data source for the
 * primary, {@code <default>} for Quarkus' unnamed one). The cluster is handed
 * to test fields of type {@link PgCluster}.
 */
public class ClusterResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument: the Quarkus data source of the primary, {@code <default>} for the unnamed one. */
    public static final String PRIMARY_DATASOURCE = "primary-datasource";
    private static final String DEFAULT_DATASOURCE = "<default>";

    private PgCluster cluster;
    private String primaryDataSource = "primary";

    @Override
    public void init(Map<String, String> initArgs) {
        primaryDataSource = initArgs.getOrDefault(PRIMARY_DATASOURCE, primaryDataSource);
    }

    @Override
    public Map<String, String> start() {
        cluster = PgCluster.builder().replicas(2).start();
        String db = cluster.createDatabase("quarkus_it");
        Map<String, String> config = new LinkedHashMap<>();
        dataSource(config, primaryDataSource, cluster.primary(), db);
        List<PgNode> replicas = cluster.replicas();
        for (int i = 0; i < replicas.size(); i++) {
            dataSource(config, "replica" + (i + 1), replicas.get(i), db);
        }
        return config;
    }

    private void dataSource(Map<String, String> config, String name, PgNode node, String db) {
        String prefix = DEFAULT_DATASOURCE.equals(name) ? "quarkus.datasource." : "quarkus.datasource.\"" + name + "\".";
        config.put(prefix + "jdbc.url", node.jdbcUrl(db));
        config.put(prefix + "username", cluster.user());
        config.put(prefix + "password", cluster.password());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(cluster, new TestInjector.MatchesType(PgCluster.class));
    }

    @Override
    public void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
