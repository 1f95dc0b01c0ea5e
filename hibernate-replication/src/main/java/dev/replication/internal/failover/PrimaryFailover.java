package dev.replication.internal.failover;

import dev.replication.NodeRole;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationException;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.cluster.ClusterTopology;
import dev.replication.internal.health.ClusterMonitor;
import dev.replication.internal.health.HealthPolicy;
import dev.replication.internal.health.Observation;
import dev.replication.internal.observe.EventPublisher;

import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

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
    /** Null unless {@code replication.failover.repoint-standbys}. */
    private final StandbyRepointer repointer;
    private volatile Set<String> syncStandbys = Set.of();
    private volatile int primaryFailures;

    /**
     * @param acknowledged the highest commit position this process acknowledged to the application
     *                     (its tokens): a promotion's possibly lost range starts no lower than that,
     *                     whatever the monitor last saw
     */
    public PrimaryFailover(ReplicationConfig config, ClusterTopology topology, ClusterMonitor monitor,
                           HealthPolicy health, EventPublisher events, LongSupplier acknowledged) {
        this(config, topology, monitor, health, events, acknowledged, null);
    }

    /**
     * @param patroniLeader with a Patroni topology, the name of the leader Patroni names (null: none);
     *                      null for a static topology
     */
    public PrimaryFailover(ReplicationConfig config, ClusterTopology topology, ClusterMonitor monitor,
                           HealthPolicy health, EventPublisher events, LongSupplier acknowledged,
                           Supplier<String> patroniLeader) {
        this.acknowledged = acknowledged;
        this.config = config;
        this.topology = topology;
        this.monitor = monitor;
        this.health = health;
        this.events = events;
        this.policy = patroniLeader != null ? FailoverPolicy.patroni(patroniLeader)
                : FailoverPolicy.of(config.failover(), config.failoverPrimaryFailures());
        this.repointer = config.failoverRepointStandbys() ? new StandbyRepointer(topology, monitor, events, promotions)
                : null;
    }

    ClusterMonitor monitor() {
        return monitor;
    }

    /** A promotion failed: no promotion in progress any more, and the policy may try again. Monitor thread. */
    void promotionFailed() {
        topology.promoting(null);
        policy.promotionFailed();
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
            if (repointer != null && topology.promoting() == null) {
                repointer.afterRound(results);
            }
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

    /** Checks every node again soon (the node to follow is about to be ready). */
    void monitorSoon() {
        monitor.checkSoon(FAST_CHECK_MILLIS);
    }

    /** Forgets a node that left the cluster. Monitor thread. */
    public void nodeRemoved(Node n) {
        walNames.remove(n);
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

    private boolean start(PromotionTask task) {
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
        PromotionTask task = monitor.onMonitorThread(() -> {
            if (target == topology.primary() && !target.fenced()) {
                throw new ReplicationException(target.name() + " is already the primary");
            }
            PromotionTask t = begin(target, false);
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
    private PromotionTask begin(Node target, boolean followOnly) {
        if (topology.promoting() != null) {
            return null;
        }
        topology.promoting(target);
        return new PromotionTask(this, target, topology.primary(),
                Math.max(topology.lastPrimaryLsn(), acknowledged.getAsLong()),
                topology.primaryTimeline(),
                topology.nodes().stream().filter(n -> n.health().up()).toList(), followOnly);
    }

    /** Makes {@code target}, which already is a primary at {@code lsn} on timeline {@code tli}, the primary; fences the old one. */
    void switchTo(Node target, long lsn, long tli, Instant now) {
        Node old = topology.fenceFormerPrimary();
        health.formerPrimary(old, now);
        old.connections().abortInUse(monitor.executor());
        primaryFailures = 0;
        topology.makePrimary(target, lsn, tli, now);
        health.primaryChanged(tli, now);
        if (repointer != null) {
            repointer.afterSwitch();
        }
        monitor.recordPrimaryPosition(lsn, now);
        events.primarySwitched(target.name());
    }

    @Override
    public void close() {
        promotions.shutdownNow();
    }
}
