package dev.replication.internal.failover;

import dev.replication.internal.Node;
import dev.replication.internal.health.Observation;

import java.time.Instant;
import java.util.Map;

/**
 * {@code manual}: the failure is reported (log, listeners, status) and writes fail until the
 * primary is back or an operator calls {@code Replication.promote(standby)}.
 */
final class ManualFailover implements FailoverPolicy {
    @Override
    public void primaryFailed(PrimaryFailover failover, Map<Node, Observation> results, int consecutiveFailures,
                              Instant now) {
        // reporting is done by PrimaryFailover for every policy
    }
}
