package dev.replication;

import java.time.Duration;
import java.time.Instant;

/**
 * What the monitor knows about one node at one moment. Immutable.
 *
 * @param name            node name
 * @param configuredRole  role the node has in routing now (the current primary, a replica, or a fenced node)
 * @param observedRole    role from {@code pg_is_in_recovery()} at the last successful check
 * @param up              the last check succeeded
 * @param usable          the node may serve reads now (up, right role, within lag, not fenced, readmitted)
 * @param excludedReason  why the node is not usable for reads, or {@code null} when it is
 * @param replayLsn       last replayed (replica) or current (primary) WAL position, -1 when unknown
 * @param lagBytes        bytes of WAL behind the primary, -1 when unknown
 * @param lag             time behind the primary, {@code null} when unknown
 * @param timeline        timeline id at the last check, -1 when unknown
 * @param lastCheck       time of the last completed check, {@code null} before the first
 * @param poolActive      connections in use in this node's pool
 * @param poolIdle        idle connections in this node's pool
 * @param poolWaiting     threads waiting for a connection of this node's pool
 */
public record NodeStatus(String name, NodeRole configuredRole, NodeRole observedRole, boolean up, boolean usable,
                         String excludedReason, long replayLsn, long lagBytes, Duration lag, long timeline,
                         Instant lastCheck, int poolActive, int poolIdle, int poolWaiting) {

    /** Short human-readable state, used in exception messages: {@code replica1[up, lag=0B/0ms, active=1, idle=3, waiting=0]}. */
    public String describe() {
        return name + "[" + (up ? "up" : "down") + (excludedReason != null ? ", excluded: " + excludedReason : "")
                + ", lag=" + (lagBytes < 0 ? "unknown" : lagBytes + "B/" + (lag == null ? "?" : lag.toMillis() + "ms"))
                + ", total=" + (poolActive + poolIdle) + ", active=" + poolActive + ", idle=" + poolIdle
                + ", waiting=" + poolWaiting + "]";
    }
}
