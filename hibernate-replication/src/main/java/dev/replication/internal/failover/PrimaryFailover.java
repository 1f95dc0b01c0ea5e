package dev.replication.internal.failover;

import dev.replication.ConsistencyToken;
import dev.replication.NodeRole;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationException;
import dev.replication.internal.Failures;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.cluster.ClusterTopology;
import dev.replication.internal.consistency.ReplayPositions;
import dev.replication.internal.health.ClusterMonitor;
import dev.replication.internal.health.HealthPolicy;
import dev.replication.internal.health.Observation;
import dev.replication.internal.observe.EventPublisher;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;

/**
 * Watches the primary's checks and carries out failover: counts consecutive failures, reports the
 * primary as failed, and lets the configured {@link FailoverPolicy} act. Provides the two actions
 * a policy has: {@link #promote} a standby ({@code pg_promote()}) and {@link #switchTo} a node that
 * already is a primary; either way the old primary is fenced and never written to again.
 * <p>
 * Runs on the monitor thread (an operator's promotion is submitted to it).
 */
public final class PrimaryFailover {

    private final ReplicationConfig config;
    private final ClusterTopology topology;
    private final ClusterMonitor monitor;
    private final HealthPolicy health;
    private final EventPublisher events;
    private final FailoverPolicy policy;
    private volatile int primaryFailures;

    public PrimaryFailover(ReplicationConfig config, ClusterTopology topology, ClusterMonitor monitor,
                           HealthPolicy health, EventPublisher events) {
        this.config = config;
        this.topology = topology;
        this.monitor = monitor;
        this.health = health;
        this.events = events;
        this.policy = FailoverPolicy.of(config.failover(), config.failoverPrimaryFailures());
    }

    ClusterTopology topology() {
        return topology;
    }

    EventPublisher events() {
        return events;
    }

    /** Failed checks of the current primary in a row (0 while it is healthy). */
    public int consecutiveFailures() {
        return primaryFailures;
    }

    /** Looks at the primary's observation of one round; runs before the health policy applies the round. */
    public void afterRound(Map<Node, Observation> results, Instant now) {
        Node p = topology.primary();
        Observation po = results.get(p);
        if (po != null && po.ok() && po.role() == NodeRole.PRIMARY && !p.fenced()) {
            primaryFailures = 0;
            policy.primaryHealthy();
            topology.primarySeen(po.lsn(), po.timeline());
            monitor.recordPrimaryPosition(po.lsn(), now);
            return;
        }
        int failures = ++primaryFailures;
        String reason = po == null ? "not checked" : po.ok() ? "reports it is in recovery" : po.error();
        if (failures == config.failoverPrimaryFailures()) {
            Log.LOG.primaryDown(p.name(), failures, reason);
            events.fire(l -> l.nodeStateChanged(p.name(), "primary-failed", reason));
        }
        policy.primaryFailed(this, results, failures, now);
    }

    /**
     * Promotes {@code target} with {@code pg_promote()} and routes writes to it once it has left
     * recovery. Runs on the monitor thread.
     *
     * @throws ReplicationException when the target is the primary already, or promotion failed
     */
    public synchronized void promote(Node target, Instant now) {
        Node old = topology.primary();
        if (target == old && !old.fenced()) {
            throw new ReplicationException(target.name() + " is already the primary");
        }
        long lastPrimaryLsn = topology.lastPrimaryLsn();
        long replayed = target.health().lsn();
        long behind = lastPrimaryLsn >= 0 && replayed >= 0 ? Math.max(0, lastPrimaryLsn - replayed) : -1;
        Log.LOG.promotionStarted(target.name(), ReplayPositions.lsnText(replayed), behind,
                ReplayPositions.lsnText(lastPrimaryLsn));
        events.nodeState(target.name(), "promoting", null);
        long start = System.nanoTime();
        long timeoutSeconds = Math.max(1, config.failoverPromoteTimeout().toSeconds());
        try (Connection c = target.connections().openDirect(); Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = 0");
            try {
                st.execute("SELECT pg_wal_replay_resume()");
            } catch (SQLException ignored) {
                // not paused, or not in recovery any more
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_promote(true, " + timeoutSeconds + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SQLException("pg_promote() did not finish within " + timeoutSeconds + "s");
                }
            }
            long lsn;
            long tli;
            try (ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_current_wal_lsn()::text,"
                    + " ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new SQLException("still in recovery after pg_promote()");
                }
                lsn = ConsistencyToken.parse(rs.getString(2)).lsn();
                tli = rs.getLong(3);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            switchTo(target, lsn, tli, now);
            Log.LOG.promoted(target.name(), ReplayPositions.lsnText(lsn), tli, millis, old.name(), behind);
            events.fire(l -> l.primaryChanged(old.name(), target.name(), true));
        } catch (SQLException | RuntimeException e) {
            Log.LOG.promotionFailed(target.name(), Failures.firstLine(e));
            policy.promotionFailed();
            throw new ReplicationException(target.name() + ": promotion failed: " + Failures.firstLine(e), e);
        }
    }

    /** Makes {@code target}, which already is a primary at {@code lsn} on timeline {@code tli}, the primary; fences the old one. */
    void switchTo(Node target, long lsn, long tli, Instant now) {
        Node old = topology.fenceFormerPrimary();
        health.formerPrimary(old, now);
        old.connections().abortInUse(monitor.executor());
        primaryFailures = 0;
        topology.makePrimary(target, lsn, tli, now);
        monitor.recordPrimaryPosition(lsn, now);
        events.primarySwitched(target.name());
    }
}
