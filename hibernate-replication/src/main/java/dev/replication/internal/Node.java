package dev.replication.internal;

import dev.replication.NodeConfig;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.internal.connection.ConnectionSource;
import dev.replication.internal.connection.NodeConnections;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One database node as every layer sees it: its configuration, its connections, what it is for now
 * (routing role, fenced) and its health as last seen by the monitor.
 * <p>
 * Health is written by the monitor thread (and by request threads marking a node down), always
 * under the node's lock, and read lock-free as an immutable {@link Health} snapshot.
 */
public final class Node {

    private final NodeConfig config;
    private final NodeConnections connections;
    /** {@code System.nanoTime()} of the last direct replay-position probe (see consistency.ReplayPositions). */
    private final AtomicLong lastProbe = new AtomicLong(System.nanoTime() - 1_000_000_000L);

    /** Routing role: what this node is for now. */
    volatile NodeRole routingRole;
    volatile boolean fenced;
    volatile Health health;
    /** A Patroni {@code noloadbalance} tag: no reads, whatever the configuration says. */
    private volatile boolean noLoadBalance;

    public Node(NodeConfig config, NodeRole role, NodeConnections connections) {
        this.config = config;
        this.routingRole = role;
        this.connections = connections;
        this.health = Health.unknown();
    }

    public String name() {
        return config.name();
    }

    public NodeConfig config() {
        return config;
    }

    public NodeRole routingRole() {
        return routingRole;
    }

    public void routingRole(NodeRole role) {
        this.routingRole = role;
    }

    /** Whether routing may send reads here as a replica: configured so, and not tagged {@code noloadbalance}. */
    public boolean readsAllowed() {
        return config.reads() && !noLoadBalance;
    }

    /** @return whether the value changed */
    public boolean noLoadBalance(boolean value) {
        boolean changed = noLoadBalance != value;
        noLoadBalance = value;
        return changed;
    }

    public boolean fenced() {
        return fenced;
    }

    public void fenced(boolean value) {
        this.fenced = value;
    }

    public Health health() {
        return health;
    }

    /** Replaces the health snapshot; callers hold the node's lock. */
    public void health(Health value) {
        this.health = value;
    }

    public NodeConnections connections() {
        return connections;
    }

    public AtomicLong lastProbe() {
        return lastProbe;
    }

    /** A pooled connection, tracked until {@link #release}. */
    public Connection borrow() throws SQLException {
        return connections.borrow(null);
    }

    /** A pooled connection to {@code database} on this node's server ({@code null}: the node's own), tracked until {@link #release}. */
    public Connection borrow(String database) throws SQLException {
        return connections.borrow(database);
    }

    public void release(Connection c) throws SQLException {
        connections.release(c);
    }

    int active() {
        return connections.counts().active();
    }

    public NodeStatus status() {
        ConnectionSource.PoolCounts counts = connections.counts();
        Health h = health;
        return new NodeStatus(name(), fenced ? NodeRole.UNKNOWN : routingRole, h.observedRole, h.up(), h.usable(),
                h.excludedReason, h.lsn, h.lagBytes, h.lag, h.timeline, h.lastCheck,
                counts.active(), counts.idle(), counts.waiting());
    }

    @Override
    public String toString() {
        return status().describe();
    }

    /**
     * Immutable health snapshot read on the hot path.
     *
     * @param up             last check succeeded
     * @param usable         may serve reads
     * @param observedRole   from pg_is_in_recovery()
     * @param lsn            replayed (replica) or current (primary) LSN, -1 unknown
     * @param lagBytes       -1 unknown
     * @param lag            null unknown
     * @param timeline       -1 unknown
     * @param upstreamPort   port of the WAL sender a replica streams from, -1 unknown
     * @param excludedReason null when usable
     * @param lastCheck      null before the first check
     */
    public record Health(boolean up, boolean usable, NodeRole observedRole, long lsn, long lagBytes, Duration lag,
                         long timeline, int upstreamPort, String excludedReason, Instant lastCheck) {
        static Health unknown() {
            return new Health(false, false, NodeRole.UNKNOWN, -1, -1, null, -1, -1, "not checked yet", null);
        }

        /** A primary that passed its check. */
        public static Health primary(long lsn, long timeline, Instant now) {
            return new Health(true, true, NodeRole.PRIMARY, lsn, 0, Duration.ZERO, timeline, -1, null, now);
        }

        public Health withLsn(long newLsn) {
            return new Health(up, usable, observedRole, newLsn, lagBytes, lag, timeline, upstreamPort, excludedReason,
                    lastCheck);
        }

        public Health down(String reason, Instant now) {
            return new Health(false, false, NodeRole.UNKNOWN, lsn, -1, null, timeline, upstreamPort, reason, now);
        }
    }
}
