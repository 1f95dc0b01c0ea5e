package dev.replication.internal.failover;

import dev.replication.ConsistencyToken;
import dev.replication.NodeRole;
import dev.replication.Promotion;
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
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

// Over ~300 lines: the promotion task (choice, re-check, pg_promote, switch) shares the failure count and
// the promotion state with the failure detection; moving the task to its own class is the next clean-up.
/**
 * Watches the primary's checks and carries out failover: counts consecutive failures, reports the
 * primary as failed, and lets the configured {@link FailoverPolicy} act. Provides the two actions
 * a policy has: {@link #startPromotion promote} a standby ({@code pg_promote()}) and {@link #switchTo}
 * a node that already is a primary; either way the old primary is fenced and never written to again.
 * <p>
 * Round handling and switching run on the monitor thread. A promotion runs on a thread of its own,
 * so the monitor keeps checking the other nodes meanwhile; it hands the switch back to the monitor
 * thread. Just before promoting it asks every reachable node whether one already left recovery (an
 * operator or another application instance promoted it) and then follows that one instead.
 */
public final class PrimaryFailover implements AutoCloseable {

    /** Spacing of the extra primary checks after a check failed hard (connection refused or reset). */
    public static final long FAST_CHECK_MILLIS = 150;

    private static final String POSITION_SQL = "SELECT pg_is_in_recovery(),"
            + " CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END,"
            + " CASE WHEN pg_is_in_recovery() THEN NULL"
            + " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,"
            + " pg_last_wal_replay_lsn()::text";

    private final ReplicationConfig config;
    private final LongSupplier acknowledged;
    private final ClusterTopology topology;
    private final ClusterMonitor monitor;
    private final HealthPolicy health;
    private final EventPublisher events;
    private final FailoverPolicy policy;
    private final ExecutorService promotions = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "replication-failover");
        t.setDaemon(true);
        return t;
    });
    /** Each standby's application_name as its primary knows it; monitor thread. */
    private final Map<Node, String> walNames = new IdentityHashMap<>();
    private volatile Set<String> syncStandbys = Set.of();
    private volatile int primaryFailures;

    /**
     * @param acknowledged the highest commit position this process acknowledged to the application
     *                     (its tokens): a promotion's possibly lost range starts no lower than that,
     *                     whatever the monitor last saw
     */
    public PrimaryFailover(ReplicationConfig config, ClusterTopology topology, ClusterMonitor monitor,
                           HealthPolicy health, EventPublisher events, LongSupplier acknowledged) {
        this.acknowledged = acknowledged;
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

    ReplicationConfig config() {
        return config;
    }

    /** The standbys the primary reported in sync_state sync or quorum at its last good check (application names). */
    Set<String> syncStandbys() {
        return syncStandbys;
    }

    /** A standby's application_name as the primary sees it, last time it was streaming; null unknown. Monitor thread. */
    String walName(Node n) {
        return walNames.get(n);
    }

    /** Failed checks of the current primary in a row (0 while it is healthy). */
    public int consecutiveFailures() {
        return primaryFailures;
    }

    /** Looks at the primary's observation of one round; runs before the health policy applies the round. */
    public void afterRound(Map<Node, Observation> results, Instant now) {
        results.forEach((n, o) -> {
            if (o.ok() && o.walName() != null) {
                walNames.put(n, o.walName());
            }
        });
        Node p = topology.primary();
        Observation po = results.get(p);
        if (po != null && po.ok() && po.role() == NodeRole.PRIMARY && !p.fenced()) {
            primaryFailures = 0;
            syncStandbys = po.syncStandbys();
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
        if (po != null && po.hardFailure() && failures < config.failoverPrimaryFailures()) {
            monitor.checkSoon(FAST_CHECK_MILLIS);
        }
        if (topology.promoting() == null) {
            policy.primaryFailed(this, results, failures, now);
        }
    }

    /**
     * The primary's connection failed hard in a request (refused, reset): check it again now
     * instead of at the next interval. Any thread.
     */
    public void primaryFailedHard() {
        monitor.checkSoon(0);
    }

    /** No standby may be promoted now (each policy round may log this once per distinct reason). */
    void refused(String reasons) {
        Node p = topology.primary();
        Log.LOG.promotionRefused(p.name(), reasons);
        events.nodeState(p.name(), "promotion-refused", reasons);
    }

    /**
     * Starts promoting {@code target} on the failover thread; returns at once. Monitor thread.
     *
     * @return false when a promotion is already running
     */
    boolean startPromotion(Node target) {
        return start(begin(target, false));
    }

    /**
     * Starts following {@code target}, seen out of recovery on a newer timeline than the failed primary's,
     * on the failover thread; it is never promoted by us, and not followed when it left recovery further
     * behind the old primary's last known position than {@code replication.failover.max-lag-bytes}.
     * Monitor thread.
     *
     * @return false when a promotion is already running
     */
    boolean startFollowing(Node target) {
        return start(begin(target, true));
    }

    private boolean start(Task task) {
        if (task == null) {
            return false;
        }
        promotions.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // logged and reported to the policy by the task
            }
        });
        return true;
    }

    /**
     * Promotes {@code target} now (an operator's promotion) and waits until writes go to it. Not on
     * the monitor thread.
     *
     * @throws ReplicationException when the target is the primary already, a promotion is running, or it failed
     */
    public void promote(Node target) {
        Task task = monitor.onMonitorThread(() -> {
            if (target == topology.primary() && !target.fenced()) {
                throw new ReplicationException(target.name() + " is already the primary");
            }
            Task t = begin(target, false);
            if (t == null) {
                throw new ReplicationException(target.name() + ": a promotion of '" + topology.promoting().name()
                        + "' is in progress");
            }
            return t;
        }, Duration.ofSeconds(10));
        Future<?> f = promotions.submit(task::run);
        try {
            f.get(config.failoverPromoteTimeout().plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re
                    : new ReplicationException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new ReplicationException(target.name() + ": promotion did not finish in time");
        }
    }

    /** Marks {@code target} as being promoted and captures what the promotion needs. Monitor thread. */
    private Task begin(Node target, boolean followOnly) {
        if (topology.promoting() != null) {
            return null;
        }
        topology.promoting(target);
        return new Task(target, topology.primary(), Math.max(topology.lastPrimaryLsn(), acknowledged.getAsLong()),
                topology.primaryTimeline(),
                topology.nodes().stream().filter(n -> n.health().up()).toList(), followOnly);
    }

    /** One promotion, run on the failover thread. */
    private final class Task {
        final Node target;
        final Node old;
        final long lastPrimaryLsn;
        final long timeline;
        final List<Node> reachable;
        final boolean followOnly;

        Task(Node target, Node old, long lastPrimaryLsn, long timeline, List<Node> reachable, boolean followOnly) {
            this.target = target;
            this.old = old;
            this.lastPrimaryLsn = lastPrimaryLsn;
            this.timeline = timeline;
            this.reachable = reachable;
            this.followOnly = followOnly;
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
                            + config.failoverMaxLagBytes() + " bytes behind the old primary's last known position "
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
                monitor.execute(() -> {
                    topology.promoting(null);
                    policy.promotionFailed();
                });
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
            long maxLag = config.failoverMaxLagBytes();
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
            switchTo(node, pos.lsn, pos.timeline, Instant.now());
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
        long timeoutSeconds = Math.max(1, config.failoverPromoteTimeout().toSeconds());
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

    @Override
    public void close() {
        promotions.shutdownNow();
    }
}
