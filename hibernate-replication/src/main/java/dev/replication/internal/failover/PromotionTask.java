package dev.replication.internal.failover;

import dev.replication.ConsistencyToken;
import dev.replication.Promotion;
import dev.replication.ReplicationException;
import dev.replication.internal.Failures;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.cluster.ClusterTopology;
import dev.replication.internal.consistency.ReplayPositions;
import dev.replication.internal.health.ClusterMonitor;
import dev.replication.internal.observe.EventPublisher;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One promotion, run on the failover thread: asks every reachable node whether one already left
 * recovery (then follows it), else {@code pg_promote()}s the target, and hands the switch back to
 * the monitor thread, where the promotion's possibly lost WAL range is logged and published.
 */
final class PromotionTask {

    private static final String POSITION_SQL = "SELECT pg_is_in_recovery(),"
            + " CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END,"
            + " CASE WHEN pg_is_in_recovery() THEN NULL"
            + " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,"
            + " pg_last_wal_replay_lsn()::text";

    private final PrimaryFailover failover;
    private final ClusterTopology topology;
    private final ClusterMonitor monitor;
    private final EventPublisher events;
    private final Node target;
    private final Node old;
    private final long lastPrimaryLsn;
    private final long timeline;
    private final List<Node> reachable;
    /** Only follow a node someone else promoted; never promote. */
    private final boolean followOnly;

    PromotionTask(PrimaryFailover failover, Node target, Node old, long lastPrimaryLsn, long timeline,
                  List<Node> reachable, boolean followOnly) {
        this.followOnly = followOnly;
        this.failover = failover;
        this.topology = failover.topology();
        this.monitor = failover.monitor();
        this.events = failover.events();
        this.target = target;
        this.old = old;
        this.lastPrimaryLsn = lastPrimaryLsn;
        this.timeline = timeline;
        this.reachable = reachable;
    }

    void run() {
        try {
            Node elsewhere = promotedElsewhere();
            if (elsewhere != null) {
                Position pos = position(elsewhere);
                monitor.onMonitorThread(() -> {
                    finish(elsewhere, pos, false, 0);
                    return null;
                }, Duration.ofSeconds(10));
                return;
            }
            if (followOnly) {
                throw new SQLException("out of recovery on a newer timeline, but it left recovery more than "
                        + failover.config().failoverMaxLagBytes() + " bytes behind the old primary's last known position "
                        + ReplayPositions.lsnText(lastPrimaryLsn) + " (or where is unknown): not followed");
            }
            long replayed = target.health().lsn();
            long behind = lastPrimaryLsn >= 0 && replayed >= 0 ? Math.max(0, lastPrimaryLsn - replayed) : -1;
            Log.LOG.promotionStarted(target.name(), ReplayPositions.lsnText(replayed), behind,
                    ReplayPositions.lsnText(lastPrimaryLsn));
            events.nodeState(target.name(), "promoting", null);
            long start = System.nanoTime();
            Position pos = promoteOn(target);
            long millis = (System.nanoTime() - start) / 1_000_000;
            monitor.onMonitorThread(() -> {
                finish(target, pos, pos.ours, millis);
                return null;
            }, Duration.ofSeconds(10));
        } catch (SQLException | RuntimeException e) {
            Log.LOG.promotionFailed(target.name(), Failures.firstLine(e));
            monitor.execute(failover::promotionFailed);
            throw new ReplicationException(target.name() + ": promotion failed: " + Failures.firstLine(e), e);
        }
    }

    /**
     * A node other than the old primary that left recovery on a newer timeline (someone promoted it), or
     * null. Fenced nodes count: the monitor fences a standby it sees out of recovery while the old primary
     * is still the primary, which is how another instance's promotion first looks. A node that left
     * recovery further behind the old primary's last known position than a standby may lag to be promoted
     * ({@code replication.failover.max-lag-bytes}; or where is unknown) does not count: it forked before
     * what that primary acknowledged (a standby promoted long ago and left running).
     */
    private Node promotedElsewhere() {
        for (Node n : reachable) {
            if (n == old) {
                continue;
            }
            try {
                Position pos = position(n);
                if (!pos.inRecovery && (timeline < 0 || pos.timeline > timeline) && forkedRecently(pos)) {
                    return n;
                }
            } catch (SQLException e) {
                // unreachable now: it cannot be the new primary for us either
            }
        }
        return null;
    }

    private boolean forkedRecently(Position pos) {
        long maxLag = failover.config().failoverMaxLagBytes();
        if (maxLag <= 0 || lastPrimaryLsn < 0) {
            return true;
        }
        return pos.recoveryEnd >= 0 && lastPrimaryLsn - pos.recoveryEnd <= maxLag;
    }

    /** Switches to {@code node}, now out of recovery at {@code pos}. Monitor thread. */
    private void finish(Node node, Position pos, boolean ours, long millis) {
        topology.promoting(null);
        if (topology.primary() != old) {
            return;
        }
        failover.switchTo(node, pos.lsn, pos.timeline, Instant.now());
        if (ours) {
            long lost = lastPrimaryLsn >= 0 && pos.recoveryEnd >= 0 ? Math.max(0, lastPrimaryLsn - pos.recoveryEnd) : -1;
            String from = ReplayPositions.lsnText(pos.recoveryEnd);
            String to = ReplayPositions.lsnText(lastPrimaryLsn);
            Log.LOG.promoted(node.name(), ReplayPositions.lsnText(pos.lsn), pos.timeline, millis, old.name(), from, to,
                    lost);
            Promotion p = new Promotion(old.name(), node.name(), to, from, lost, Duration.ofMillis(millis));
            events.fire(l -> l.promoted(p));
        } else {
            Log.LOG.followingPrimary(node.name(), pos.timeline, old.name());
        }
        events.fire(l -> l.primaryChanged(old.name(), node.name(), ours));
    }

    /** Where a node stands: in recovery or not, its current position and timeline as a primary, where recovery ended. */
    private record Position(boolean inRecovery, long lsn, long timeline, long recoveryEnd, boolean ours) {
        Position notOurs() {
            return new Position(inRecovery, lsn, timeline, recoveryEnd, false);
        }
    }

    private Position position(Node n) throws SQLException {
        try (Connection c = n.connections().openDirect(); Statement st = c.createStatement()) {
            return position(st);
        }
    }

    private static Position position(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(POSITION_SQL)) {
            rs.next();
            boolean recovery = rs.getBoolean(1);
            String lsn = rs.getString(2);
            long tli = rs.getLong(3);
            String end = rs.getString(4);
            return new Position(recovery, lsn == null ? -1 : ConsistencyToken.parse(lsn).lsn(), recovery ? -1 : tli,
                    end == null ? -1 : ConsistencyToken.parse(end).lsn(), true);
        }
    }

    /** {@code pg_promote()} on {@code target}; a standby that is not in recovery any more was promoted by someone else. */
    private Position promoteOn(Node target) throws SQLException {
        long timeoutSeconds = Math.max(1, failover.config().failoverPromoteTimeout().toSeconds());
        try (Connection c = target.connections().openDirect(); Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = 0");
            try {
                st.execute("SELECT pg_wal_replay_resume()");
            } catch (SQLException ignored) {
                // not paused, or not in recovery any more
            }
            boolean ours = true;
            try (ResultSet rs = st.executeQuery("SELECT pg_promote(true, " + timeoutSeconds + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SQLException("pg_promote() did not finish within " + timeoutSeconds + "s");
                }
            } catch (SQLException e) {
                Position now = position(st);
                if (now.inRecovery) {
                    throw e;
                }
                ours = false;
            }
            Position pos = position(st);
            if (pos.inRecovery) {
                throw new SQLException("still in recovery after pg_promote()");
            }
            return ours ? pos : pos.notOurs();
        }
    }
}
