package dev.replication.internal.failover;

import dev.replication.ReplicationConfig.FailoverMode;
import dev.replication.internal.Node;
import dev.replication.internal.health.Observation;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What to do when the primary fails its checks ({@code replication.failover}). One implementation
 * per mode; a new way to fail over is a new policy. Called on the monitor thread only, so a policy
 * may keep state without locking.
 */
public interface FailoverPolicy {

    /**
     * The primary failed this round's check.
     *
     * @param failover            the actions a policy may take (promote, switch to a node)
     * @param results             this round's observations of every node
     * @param consecutiveFailures failed checks of the primary in a row, this one included
     */
    void primaryFailed(PrimaryFailover failover, Map<Node, Observation> results, int consecutiveFailures, Instant now);

    /** The primary passed a check: the outage, if any, is over. */
    default void primaryHealthy() {
    }

    /** A promotion failed (started by this policy or by an operator). */
    default void promotionFailed() {
    }

    /** The policy of a Patroni topology: follow the leader Patroni names ({@code leader} gives its name, or null). */
    static FailoverPolicy patroni(Supplier<String> leader) {
        return new PatroniFailover(leader);
    }

    /** The policy of a mode. */
    static FailoverPolicy of(FailoverMode mode, int primaryFailuresThreshold) {
        return switch (mode) {
            case MANUAL -> new ManualFailover();
            case PROMOTE -> new PromoteFailover(primaryFailuresThreshold);
            case DISCOVER -> new DiscoverFailover();
        };
    }
}
