package dev.replication.quarkus.deployment;

import dev.replication.quarkus.deployment.DevClusterPlanBuildItem.Plan;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.quarkus.deployment.builditem.Startable;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The Dev Services cluster: a testkit {@link PgCluster} (primary and streaming replicas, local processes on
 * 127.0.0.1) with the application's database. Node 0 is the primary, node {@code i} the {@code i}-th replica.
 */
final class ReplicatedClusterService implements Startable {

    private final Plan plan;
    private volatile PgCluster cluster;
    private volatile List<PgNode> nodes;

    ReplicatedClusterService(Plan plan) {
        this.plan = plan;
    }

    @Override
    public void start() {
        PgCluster.Builder builder = PgCluster.builder().replicas(plan.replicaDataSources().size());
        plan.version().ifPresent(builder::version);
        PgCluster started = builder.start();
        try {
            started.createDatabase(plan.database());
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        List<PgNode> all = new java.util.ArrayList<>();
        all.add(started.primary());
        all.addAll(started.replicas());
        nodes = List.copyOf(all);
        cluster = started;
    }

    String jdbcUrl(int node) {
        return nodes.get(node).jdbcUrl(plan.database());
    }

    String user() {
        return cluster.user();
    }

    String password() {
        return cluster.password();
    }

    @Override
    public String getConnectionInfo() {
        List<PgNode> n = nodes;
        if (n == null) {
            return "not started";
        }
        List<String> ds = plan.allDataSources();
        StringBuilder b = new StringBuilder("PostgreSQL ").append(cluster.serverVersion()).append(", database ")
                .append(plan.database()).append(": ");
        b.append(java.util.stream.IntStream.range(0, n.size())
                .mapToObj(i -> (i == 0 ? "primary " : "replica ") + n.get(i).host() + ":" + n.get(i).port()
                        + " (data source " + ds.get(i) + ")")
                .collect(Collectors.joining(", ")));
        return b.toString();
    }

    @Override
    public String getContainerId() {
        return null;
    }

    @Override
    public void close() {
        PgCluster c = cluster;
        cluster = null;
        if (c != null) {
            c.close();
        }
    }
}
