package dev.replication.internal.failover;

import dev.replication.NodeRole;
import dev.replication.internal.Node;
import dev.replication.internal.health.Observation;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code replication.topology=patroni}: while the primary fails (or Patroni names another leader),
 * follows Patroni's leader once its own check says it is out of recovery on the current timeline or
 * a newer one. Never promotes, never follows a node Patroni does not name leader.
 */
final class PatroniFailover implements FailoverPolicy {

    private final Supplier<String> leader;

    PatroniFailover(Supplier<String> leader) {
        this.leader = leader;
    }

    @Override
    public void primaryFailed(PrimaryFailover failover, Map<Node, Observation> results, int consecutiveFailures,
                              Instant now) {
        String name = leader.get();
        Node old = failover.topology().primary();
        if (name == null || name.equals(old.name())) {
            return;
        }
        failover.topology().node(name).ifPresent(n -> {
            Observation o = results.get(n);
            if (o != null && o.ok() && o.role() == NodeRole.PRIMARY && o.timeline() >= failover.topology().primaryTimeline()) {
                DiscoverFailover.follow(failover, old, n, o, now);
            } else {
                failover.monitorSoon();
            }
        });
    }
}
