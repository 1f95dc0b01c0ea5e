package dev.replication.quarkus.lts;

import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A testkit primary and two streaming replicas for the data sources primary, replica1, replica2. */
public class LtsCluster implements QuarkusTestResourceLifecycleManager {

    private PgCluster cluster;

    @Override
    public Map<String, String> start() {
        cluster = PgCluster.builder().replicas(2).start();
        String db = cluster.createDatabase("lts");
        Map<String, String> config = new LinkedHashMap<>();
        List<PgNode> nodes = List.of(cluster.primary(), cluster.replicas().get(0), cluster.replicas().get(1));
        List<String> names = List.of("primary", "replica1", "replica2");
        for (int i = 0; i < nodes.size(); i++) {
            String prefix = "quarkus.datasource.\"" + names.get(i) + "\".";
            config.put(prefix + "jdbc.url", nodes.get(i).jdbcUrl(db));
            config.put(prefix + "username", cluster.user());
            config.put(prefix + "password", cluster.password());
        }
        return config;
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
