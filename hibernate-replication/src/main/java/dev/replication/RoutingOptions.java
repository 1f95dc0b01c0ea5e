package dev.replication;

import java.time.Duration;

/**
 * Per-call overrides of the configured routing. {@code null} members mean "as configured".
 *
 * @param maxLag           tighter bound on replica time lag for this call
 * @param noReplica        policy when no replica qualifies for this call
 * @param leaveTransaction for a read called inside an enclosing transaction: instead of joining it
 *                         (and staying on its node), suspend it, read on a replica in a read-only
 *                         transaction of its own, then resume it. The read then cannot see the
 *                         enclosing transaction's uncommitted writes (its committed ones, through the
 *                         scope's token, it does). Ignored for writes and when no transaction encloses
 *                         the call. Decisions made this way carry {@link RoutingReason#TRANSACTION_SUSPENDED}.
 */
public record RoutingOptions(Duration maxLag, NoReplicaPolicy noReplica, boolean leaveTransaction) {

    /** No overrides. */
    public static final RoutingOptions DEFAULT = new RoutingOptions(null, null, false);

    public RoutingOptions {
        if (maxLag != null && maxLag.isNegative()) {
            throw new IllegalArgumentException("maxLag must not be negative: " + maxLag);
        }
    }

    /** Overrides of lag bound and policy; the call joins an enclosing transaction. */
    public RoutingOptions(Duration maxLag, NoReplicaPolicy noReplica) {
        this(maxLag, noReplica, false);
    }

    /** These options, with reads leaving an enclosing transaction (see {@link #leaveTransaction()}). */
    public RoutingOptions leavingTransaction() {
        return new RoutingOptions(maxLag, noReplica, true);
    }
}
