package dev.replication.internal.health;

import dev.replication.ConsistencyToken;
import dev.replication.NodeRole;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationException;
import dev.replication.internal.Failures;
import dev.replication.internal.Log;
import dev.replication.internal.Node;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

// Slightly over ~300 lines: the scheduler, the per-node check workers with their deadlines and the fast
// re-checks share one thread model.
/**
 * Checks every node at a fixed interval. One scheduler thread drives the ticks; the blocking
 * JDBC checks run on a small worker pool (at most one check in flight per node) so that a hung
 * node only ever costs its own check, bounded by the check timeout, never the other nodes'.
 * <p>
 * Per replica: up/down, role, replayed LSN, lag in bytes (primary LSN minus replayed LSN) and in
 * time. Time lag is measured from a short history of primary positions: a replica that has
 * replayed up to L is behind by the time since the primary first moved past L. On an idle primary
 * a caught-up replica therefore has zero lag (unlike {@code now() - pg_last_xact_replay_timestamp()}).
 * <p>
 * The monitor only observes; each round's {@link Observation}s go to a {@link RoundHandler} (the
 * runtime: failover policy, then {@link HealthPolicy}).
 */
public final class ClusterMonitor implements AutoCloseable {

    private static final String CHECK_SQL = "SELECT r,"
            + " (CASE WHEN r THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text,"
            + " CASE WHEN r THEN (SELECT received_tli FROM pg_stat_wal_receiver)"
            + " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,"
            + " (SELECT sender_port FROM pg_stat_wal_receiver),"
            + " CASE WHEN r THEN (SELECT coalesce(substring(conninfo from 'application_name=([^ ]+)'),"
            + " nullif(current_setting('cluster_name'), ''), 'walreceiver') FROM pg_stat_wal_receiver)"
            + " ELSE (SELECT string_agg(application_name, ',') FROM pg_stat_replication"
            + " WHERE sync_state IN ('sync', 'quorum')) END,"
            + " CASE WHEN r THEN (SELECT timeline_id FROM pg_control_checkpoint()) END"
            + " FROM pg_is_in_recovery() r";

    /** Receives the observations of one round, on the monitor thread. */
    @FunctionalInterface
    public interface RoundHandler {
        void apply(Map<Node, Observation> results, Instant now);
    }

    private final Supplier<List<Node>> nodes;
    private final RoundHandler handler;
    private final ReplicationConfig config;
    /** One direct connection per node; touched only by that node's check (one in flight at a time). */
    private final Map<Node, Connection> monitorConnections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final Map<Node, Future<Observation>> inFlight = new HashMap<>();
    private final PrimaryHistory primaryHistory;
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicBoolean extraRoundPending = new AtomicBoolean();
    private volatile Instant lastTick;

    public ClusterMonitor(ReplicationConfig config, Supplier<List<Node>> nodes, RoundHandler handler) {
        this.config = config;
        this.nodes = nodes;
        this.handler = handler;
        this.primaryHistory = new PrimaryHistory(config.maxLag());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("replication-monitor"));
        this.workers = Executors.newCachedThreadPool(daemon("replication-check"));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs a first check synchronously, then schedules the periodic ones (unless the interval is 0). */
    public void start() {
        tick();
        Duration interval = config.monitorInterval();
        if (!interval.isZero()) {
            scheduler.scheduleAtFixedRate(this::tickSafely, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Runs one check of every node now, on the monitor thread, and waits for it. */
    public void checkNow() {
        try {
            scheduler.submit(this::tickSafely).get(config.monitorTimeout().toMillis() * 4 + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the next periodic tick will try again
        }
    }

    public Instant lastCheck() {
        return lastTick;
    }

    public int checksRun() {
        return checks.get();
    }

    /** Where connections of a failed node are aborted (never the monitor thread itself). */
    public Executor executor() {
        return workers;
    }

    /** Runs {@code task} on the monitor thread (serialised with checks) and returns its result. */
    public <T> T onMonitorThread(Callable<T> task, Duration timeout) {
        try {
            return scheduler.submit(task).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ReplicationException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new ReplicationException("monitor task did not finish within " + timeout.toMillis() + "ms");
        }
    }

    /** Runs {@code task} on the monitor thread (serialised with checks) without waiting for it. */
    public void execute(Runnable task) {
        try {
            scheduler.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    Log.LOG.debug("monitor task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /**
     * Runs a round of checks {@code delayMillis} from now, besides the periodic ones, unless one is
     * already pending: a node (the primary) just failed hard and should be checked again soon.
     */
    public void checkSoon(long delayMillis) {
        if (config.monitorInterval().isZero() || !extraRoundPending.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.schedule(() -> {
                extraRoundPending.set(false);
                tickSafely();
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            extraRoundPending.set(false);
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            Log.LOG.debug("monitor tick failed", e);
        }
    }

    private synchronized void tick() {
        List<Node> nodes = this.nodes.get();
        long deadline = System.nanoTime() + config.monitorTimeout().toNanos();
        for (Node node : nodes) {
            Future<Observation> f = inFlight.get(node);
            if (f == null || f.isDone()) {
                inFlight.put(node, workers.submit(() -> observe(node)));
            }
        }
        Instant now = Instant.now();
        Map<Node, Observation> results = new HashMap<>();
        for (Node node : nodes) {
            Future<Observation> f = inFlight.get(node);
            long wait = Math.max(0, deadline - System.nanoTime());
            try {
                results.put(node, f.get(wait, TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                results.put(node, Observation.failed("no answer within " + config.monitorTimeout().toMillis()
                        + "ms (hung or unreachable)", false));
            } catch (ExecutionException e) {
                results.put(node, Observation.failed(String.valueOf(e.getCause()), false));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        handler.apply(results, now);
        lastTick = now;
        checks.incrementAndGet();
    }

    /** Forgets a node that left the cluster: closes its monitor connection. Monitor thread. */
    public synchronized void forget(Node node) {
        Future<Observation> f = inFlight.remove(node);
        if (f != null) {
            f.cancel(true);
        }
        Connection c = monitorConnections.remove(node);
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // leaving anyway
            }
        }
    }

    /** Records the primary's position at {@code now}; keeps a short history for time lag. */
    public void recordPrimaryPosition(long lsn, Instant now) {
        primaryHistory.record(lsn, now);
    }

    /**
     * Time since the primary first moved past {@code replayed}: how long the oldest WAL the replica
     * lacks has existed. Zero when it lacks nothing.
     */
    public Duration timeLag(long replayed, long primaryLsn, Instant now) {
        return primaryHistory.timeLag(replayed, primaryLsn, now);
    }

    private Observation observe(Node node) {
        try {
            Connection mc = monitorConnections.get(node);
            if (mc == null || mc.isClosed()) {
                mc = node.connections().openDirect();
                monitorConnections.put(node, mc);
                mc.setAutoCommit(true);
            }
            try (Statement st = mc.createStatement();
                 ResultSet rs = st.executeQuery(CHECK_SQL)) {
                rs.next();
                boolean recovery = rs.getBoolean(1);
                String lsn = rs.getString(2);
                long tli = rs.getLong(3);
                if (rs.wasNull()) {
                    // a standby not streaming now (its upstream died): the last restartpoint's timeline can be
                    // older than the one it replays; a standby never goes back a timeline, so keep the highest seen
                    tli = Math.max(rs.getLong(6), node.health().timeline());
                }
                int port = rs.getInt(4);
                if (rs.wasNull()) {
                    port = -1;
                }
                String names = rs.getString(5);
                Set<String> sync = recovery || names == null ? Set.of() : Set.of(names.split(","));
                return new Observation(true, recovery ? NodeRole.REPLICA : NodeRole.PRIMARY,
                        lsn == null ? -1 : ConsistencyToken.parse(lsn).lsn(), tli, port, null,
                        recovery ? names : null, sync, false);
            }
        } catch (SQLException | RuntimeException e) {
            Connection c = monitorConnections.remove(node);
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already broken
                }
            }
            return Observation.failed(Failures.firstLine(e), Failures.isHardConnectionFailure(e));
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        workers.shutdownNow();
        for (Connection c : monitorConnections.values()) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
    }
}
