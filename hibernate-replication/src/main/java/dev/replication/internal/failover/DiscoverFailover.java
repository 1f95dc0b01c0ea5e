package dev.replication.internal.failover;

import dev.replication.NodeRole;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.health.Observation;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * {@code discover}: something else promotes (Patroni, a managed service); while the primary fails,
 * follows the configured node that reports it is a primary on the newest timeline, never an older
 * one than the current primary's.
 */
final class DiscoverFailover implements FailoverPolicy {
    @Override
    public void primaryFailed(PrimaryFailover failover, Map<Node, Observation> results, int consecutiveFailures,
                              Instant now) {
        Node old = failover.topology().primary();
        long timeline = failover.topology().primaryTimeline();
        results.entrySet().stream()
                .filter(e -> e.getKey() != old && e.getValue().ok() && e.getValue().role() == NodeRole.PRIMARY)
                .max(Comparator.comparingLong(e -> e.getValue().timeline()))
                .filter(e -> e.getValue().timeline() >= timeline)
                .ifPresent(e -> follow(failover, old, e.getKey(), e.getValue(), now));
    }

    /** Switches from {@code old} to {@code target}, which another party promoted; logs and publishes it. */
    static void follow(PrimaryFailover failover, Node old, Node target, Observation o, Instant now) {
        failover.switchTo(target, o.lsn(), o.timeline(), now);
        Log.LOG.followingPrimary(target.name(), o.timeline(), old.name());
        failover.events().fire(l -> l.primaryChanged(old.name(), target.name(), false));
    }
}
