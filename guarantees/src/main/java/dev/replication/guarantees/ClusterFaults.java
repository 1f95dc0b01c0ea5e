package dev.replication.guarantees;

import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The faults of a testkit cluster as every mode on one uses them: replay paused on every replica to
 * hold them, the first replica SIGKILLed and started again. Modes delegate their fault methods here.
 */
public final class ClusterFaults {
    private final PgCluster cluster;
    private PgNode killed;

    public ClusterFaults(PgCluster cluster) {
        this.cluster = cluster;
    }

    public void holdReplicas() {
        cluster.replicas().forEach(PgNode::pauseReplay);
    }

    public void releaseReplicas() {
        cluster.replicas().forEach(PgNode::resumeReplay);
    }

    public Set<Integer> replicaPorts() {
        return cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }

    public synchronized int killReplica() {
        killed = cluster.replicas().get(0);
        killed.kill();
        return killed.port();
    }

    public synchronized void restartKilledReplica() {
        if (killed != null) {
            killed.start();
            cluster.awaitReplicated(killed, Duration.ofSeconds(30));
            killed = null;
        }
    }
}
