package dev.replication;

import dev.replication.internal.ReplicationRuntime;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Read access to what the background monitor knows: replication lag per replica, health, and a
 * status snapshot of the whole cluster. Never queries the database (except {@link #checkNow()}).
 * Thread-safe.
 */
public final class ReplicationMonitor {
    private final ReplicationRuntime runtime;

    ReplicationMonitor(ReplicationRuntime runtime) {
        this.runtime = runtime;
    }

    /** Time lag of a replica at the last check; empty when unknown (down, never checked). */
    public Optional<Duration> lag(String replica) {
        return Optional.ofNullable(node(replica).lag());
    }

    /** WAL bytes a replica is behind the primary at the last check; empty when unknown. */
    public OptionalLong lagBytes(String replica) {
        long b = node(replica).lagBytes();
        return b < 0 ? OptionalLong.empty() : OptionalLong.of(b);
    }

    /** True when at least one replica is usable and at most {@code threshold} behind. Unknown lag is not healthy. */
    public boolean isHealthy(Duration threshold) {
        return status().nodes().stream().anyMatch(n -> n.configuredRole() == NodeRole.REPLICA && n.usable()
                && n.lag() != null && n.lag().compareTo(threshold) <= 0);
    }

    /** True when the named replica is usable and at most {@code threshold} behind. */
    public boolean isHealthy(String replica, Duration threshold) {
        NodeStatus n = node(replica);
        return n.usable() && n.lag() != null && n.lag().compareTo(threshold) <= 0;
    }

    /** Completion time of the last monitor round. */
    public Optional<Instant> lastCheck() {
        return Optional.ofNullable(runtime.monitor().lastCheck());
    }

    /** Snapshot of every node. */
    public ClusterStatus status() {
        return runtime.status();
    }

    /** Runs a round of checks now and waits for it. */
    public void checkNow() {
        runtime.monitor().checkNow();
    }

    private NodeStatus node(String name) {
        return runtime.status().node(name).orElseThrow(() -> new IllegalArgumentException("Unknown node '" + name
                + "'; nodes are " + runtime.nodes().stream().map(n -> n.name()).toList()));
    }
}
