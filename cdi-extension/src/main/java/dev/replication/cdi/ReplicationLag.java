package dev.replication.cdi;

import dev.replication.ClusterStatus;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.ReplicationMonitor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Replication lag and health of the cluster behind the routed EntityManagerFactory, as the
 * library's background monitor last saw it (the seed's {@code ReplicationLag} GenServer, without
 * its flaws: lag is measured from WAL positions as well as time, so an idle primary does not look
 * like growing lag, and unknown lag counts as unhealthy). Reading never queries the database,
 * except {@link #checkNow()}. Application-scoped, thread-safe.
 */
@ApplicationScoped
public class ReplicationLag {

    @Inject
    RoutedPersistence persistence;

    private ReplicationMonitor monitor() {
        return persistence.replication().monitor();
    }

    /** Time lag of {@code replica} at the last check; empty when unknown (down, never checked). Unknown names throw {@link IllegalArgumentException}. */
    public Optional<Duration> lag(String replica) {
        return monitor().lag(replica);
    }

    /** WAL bytes {@code replica} is behind the primary at the last check; empty when unknown. */
    public OptionalLong lagBytes(String replica) {
        return monitor().lagBytes(replica);
    }

    /** True when at least one replica is usable and at most {@code threshold} behind. */
    public boolean isHealthy(Duration threshold) {
        return monitor().isHealthy(threshold);
    }

    /** True when {@code replica} is usable and at most {@code threshold} behind. */
    public boolean isHealthy(String replica, Duration threshold) {
        return monitor().isHealthy(replica, threshold);
    }

    /** Completion time of the monitor's last round. */
    public Optional<Instant> lastCheck() {
        return monitor().lastCheck();
    }

    /** Snapshot of every node. */
    public ClusterStatus status() {
        return monitor().status();
    }

    /** Names of the nodes that are replicas now. */
    public List<String> replicas() {
        return status().nodes().stream().filter(n -> n.configuredRole() == NodeRole.REPLICA)
                .map(NodeStatus::name).toList();
    }

    /** Runs a round of checks now and waits for it. */
    public void checkNow() {
        monitor().checkNow();
    }
}
