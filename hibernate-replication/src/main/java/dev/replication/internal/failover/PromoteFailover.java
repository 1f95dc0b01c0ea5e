package dev.replication.internal.failover;

import dev.replication.NodeRole;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.health.Observation;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * {@code promote}: after {@code replication.failover.primary-failures} failed checks, promotes the
 * most caught-up healthy standby (highest replayed LSN on the current timeline; then the highest
 * {@code failover-priority}, then the name; priority 0 never), once per outage.
 * A deterministic function of what the monitor saw, so instances that saw the same choose the same.
 */
final class PromoteFailover implements FailoverPolicy {

    /**
     * Most preferred first: highest replayed LSN, then highest failover priority, then name; the same
     * observations always give the same order.
     */
    static final Comparator<Map.Entry<Node, Observation>> PREFERENCE =
            ((Comparator<Map.Entry<Node, Observation>>) (a, b) -> Long.compareUnsigned(b.getValue().lsn(),
                    a.getValue().lsn()))
                    .thenComparing(e -> e.getKey().config().failoverPriority(), Comparator.reverseOrder())
                    .thenComparing(e -> e.getKey().name());

    private final int threshold;
    private boolean done;

    PromoteFailover(int threshold) {
        this.threshold = threshold;
    }

    @Override
    public void primaryFailed(PrimaryFailover failover, Map<Node, Observation> results, int consecutiveFailures,
                              Instant now) {
        if (consecutiveFailures < threshold || done) {
            return;
        }
        done = true;
        Node old = failover.topology().primary();
        long timeline = failover.topology().primaryTimeline();
        Optional<Map.Entry<Node, Observation>> best = results.entrySet().stream()
                .filter(e -> e.getKey() != old && !e.getKey().fenced() && e.getValue().ok()
                        && e.getKey().config().failoverPriority() > 0
                        && e.getValue().role() == NodeRole.REPLICA && e.getValue().lsn() >= 0
                        && (timeline < 0 || e.getValue().timeline() >= timeline))
                .min(PREFERENCE);
        if (best.isEmpty()) {
            Log.LOG.promotionFailed("-", "no healthy standby to promote");
            done = false;
            return;
        }
        failover.promote(best.get().getKey(), now);
    }

    @Override
    public void primaryHealthy() {
        done = false;
    }

    @Override
    public void promotionFailed() {
        done = false;
    }
}
