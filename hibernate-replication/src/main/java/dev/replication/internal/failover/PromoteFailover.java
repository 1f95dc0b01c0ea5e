package dev.replication.internal.failover;

import dev.replication.NodeRole;
import dev.replication.ReplicationProperty;
import dev.replication.internal.Node;
import dev.replication.internal.consistency.ReplayPositions;
import dev.replication.internal.health.Observation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code promote}: after {@code replication.failover.primary-failures} failed checks, promotes one
 * standby, once per outage. The candidates are the healthy standbys on the current timeline with a
 * {@code failover-priority} above 0, at most {@code replication.failover.max-lag-bytes} behind the
 * last primary position seen and, when the primary reported synchronous standbys, only those. Among
 * them: the highest replayed LSN, then the highest priority, then the name. A deterministic function
 * of what the monitor saw, so instances that saw the same choose the same. With no candidate, nothing
 * is promoted, the reasons are logged and published (again when they change), and writes stay
 * unavailable; each round looks again. A node out of recovery on a newer timeline than the failed
 * primary's (another instance or an operator promoted it, the monitor fenced it meanwhile) is followed
 * instead: found by the promotion's re-check, or, with no candidate, followed on its own, in both cases
 * only when it left recovery within {@code max-lag-bytes} of the old primary's last known position.
 */
final class PromoteFailover implements FailoverPolicy {

    /** Most preferred first: highest replayed LSN, then highest failover priority, then name. */
    static final Comparator<Map.Entry<Node, Observation>> PREFERENCE =
            ((Comparator<Map.Entry<Node, Observation>>) (a, b) -> Long.compareUnsigned(b.getValue().lsn(),
                    a.getValue().lsn()))
                    .thenComparing(e -> e.getKey().config().failoverPriority(), Comparator.reverseOrder())
                    .thenComparing(e -> e.getKey().name());

    private final int threshold;
    private boolean done;
    private String lastRefusal;

    PromoteFailover(int threshold) {
        this.threshold = threshold;
    }

    @Override
    public void primaryFailed(PrimaryFailover failover, Map<Node, Observation> results, int consecutiveFailures,
                              Instant now) {
        if (consecutiveFailures < threshold || done) {
            return;
        }
        Node old = failover.topology().primary();
        long timeline = failover.topology().primaryTimeline();
        long lastPrimary = failover.topology().lastPrimaryLsn();
        long maxLag = failover.config().failoverMaxLagBytes();
        Set<String> sync = failover.syncStandbys();
        List<String> refusals = new ArrayList<>();
        List<Map.Entry<Node, Observation>> candidates = new ArrayList<>();
        for (Map.Entry<Node, Observation> e : results.entrySet()) {
            Node n = e.getKey();
            Observation o = e.getValue();
            if (n == old) {
                continue;
            }
            String why = null;
            if (n.fenced()) {
                why = "fenced";
            } else if (!o.ok()) {
                why = "down (" + o.error() + ")";
            } else if (o.role() != NodeRole.REPLICA) {
                why = "not in recovery";
            } else if (o.lsn() < 0) {
                why = "replay position unknown";
            } else if (timeline >= 0 && o.timeline() < timeline) {
                why = "on timeline " + o.timeline() + ", older than the primary's " + timeline;
            } else if (n.config().failoverPriority() == 0) {
                why = "failover-priority 0";
            } else if (!sync.isEmpty() && !sync.contains(failover.walName(n))) {
                why = "not a synchronous standby (the primary's were " + new TreeSet<>(sync) + "; this one streams as "
                        + (failover.walName(n) == null ? "unknown" : "'" + failover.walName(n) + "'") + ")";
            } else if (maxLag > 0 && lastPrimary >= 0 && lastPrimary - o.lsn() > maxLag) {
                why = "replayed " + ReplayPositions.lsnText(o.lsn()) + ", " + (lastPrimary - o.lsn())
                        + " bytes behind the primary's last position seen " + ReplayPositions.lsnText(lastPrimary)
                        + " (max " + maxLag + ", " + ReplicationProperty.FAILOVER_MAX_LAG_BYTES.key() + ")";
            }
            if (why == null) {
                candidates.add(e);
            } else {
                refusals.add(n.name() + ": " + why);
            }
        }
        Optional<Map.Entry<Node, Observation>> best = candidates.stream().min(PREFERENCE);
        if (best.isEmpty()) {
            Optional<Node> elsewhere = results.entrySet().stream()
                    .filter(e -> e.getKey() != old && e.getValue().ok() && e.getValue().role() == NodeRole.PRIMARY
                            && timeline >= 0 && e.getValue().timeline() > timeline)
                    .max(Comparator.comparingLong(e -> e.getValue().timeline()))
                    .map(Map.Entry::getKey);
            if (elsewhere.isPresent()) {
                // another instance or an operator promoted it (the monitor fenced it meanwhile)
                done = failover.startFollowing(elsewhere.get());
                return;
            }
            refusals.sort(null);
            String reasons = refusals.isEmpty() ? "no standby configured" : String.join("; ", refusals);
            String kind = reasons.replaceAll("[0-9A-F]+/[0-9A-F]+|[0-9]+ bytes", "");
            if (!kind.equals(lastRefusal)) {
                lastRefusal = kind;
                failover.refused(reasons);
            }
            return;
        }
        done = failover.startPromotion(best.get().getKey());
    }

    @Override
    public void primaryHealthy() {
        done = false;
        lastRefusal = null;
    }

    @Override
    public void promotionFailed() {
        done = false;
    }
}
