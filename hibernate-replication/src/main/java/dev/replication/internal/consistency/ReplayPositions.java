package dev.replication.internal.consistency;

import dev.replication.ConsistencyToken;
import dev.replication.internal.Node;
import dev.replication.internal.cluster.ClusterTopology;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WAL positions for read-after-write: the highest primary position known (the monitor's last
 * check, or a commit made through this runtime since), and direct probes of a replica's replay
 * position when the monitor's snapshot is not recent enough for a token. Thread-safe.
 */
public final class ReplayPositions {

    /**
     * The primary position a commit that just returned is known to be at or before, as text.
     * With {@code synchronous_commit} other than {@code off} the commit record was flushed before
     * COMMIT returned, so the flush position covers it, and it is what WAL senders ship: a replica
     * can reach it at once. (The insert position can be ahead of the flush position by other
     * sessions' records that the WAL writer flushes up to {@code wal_writer_delay} later, which
     * made reads wait for nothing.) With asynchronous commit only the insert position covers it.
     */
    public static final String COMMITTED_POSITION_SQL = "(CASE WHEN current_setting('synchronous_commit') = 'off'"
            + " THEN pg_current_wal_insert_lsn() ELSE pg_current_wal_flush_lsn() END)::text";


    /** Minimum spacing of direct replay-position probes of one node (1 ms). */
    public static final long PROBE_SPACING_NANOS = 1_000_000L;

    private final ClusterTopology topology;
    private final AtomicLong committedLsn = new AtomicLong();

    public ReplayPositions(ClusterTopology topology) {
        this.topology = topology;
    }

    /** The highest primary WAL position known, -1 when never seen. */
    public long knownPrimaryLsn() {
        long checked = topology.primary().health().lsn();
        long committed = committedLsn.get();
        return Long.compareUnsigned(committed, checked) > 0 && committed != 0 ? committed : checked;
    }

    /** The highest commit position this process acknowledged (a token it handed out), 0 before any. */
    public long acknowledgedLsn() {
        return committedLsn.get();
    }

    /** Records a commit position seen on the primary (tokens are never capped below it). */
    public void committed(long lsn) {
        committedLsn.accumulateAndGet(lsn, (a, b) -> Long.compareUnsigned(b, a) > 0 ? b : a);
    }

    /**
     * Asks the primary for its current insert position (used before capping a token that is ahead
     * of everything known). Returns the known position when the primary cannot be asked.
     */
    public long refreshPrimaryLsn() {
        long lsn = primaryInsertLsn();
        if (lsn > 0) {
            committed(lsn);
        }
        return knownPrimaryLsn();
    }

    /**
     * The primary's position that covers every commit returned so before this call
     * ({@link #COMMITTED_POSITION_SQL}), asked now on a connection of its own; -1 when it cannot be asked.
     */
    public long primaryCommittedLsn() {
        return ask(COMMITTED_POSITION_SQL);
    }

    /** The primary's current insert position, asked now on a connection of its own; -1 when it cannot be asked. */
    public long primaryInsertLsn() {
        return ask("pg_current_wal_insert_lsn()::text");
    }

    /** One round trip: the question runs in auto-commit (no BEGIN, no ROLLBACK); the pool gets the connection back as it was. */
    private long ask(String positionSql) {
        Node p = topology.primary();
        try {
            Connection c = p.borrow();
            boolean autoCommit = c.getAutoCommit();
            try {
                if (!autoCommit) {
                    c.setAutoCommit(true);
                }
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + positionSql)) {
                    rs.next();
                    return ConsistencyToken.parse(rs.getString(1)).lsn();
                }
            } finally {
                try {
                    if (!autoCommit) {
                        c.setAutoCommit(false);
                    }
                } finally {
                    p.release(c);
                }
            }
        } catch (SQLException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Queries a node's replayed LSN directly. Concurrent waiters share probes: when the node was
     * probed less than {@link #PROBE_SPACING_NANOS} ago, its snapshot (which every probe updates) is
     * answered instead, so the probe load on a replica stays bounded however many reads wait.
     */
    public long replayLsn(Node node) throws SQLException {
        long now = System.nanoTime();
        long last = node.lastProbe().get();
        if (now - last < PROBE_SPACING_NANOS || !node.lastProbe().compareAndSet(last, now)) {
            return node.health().lsn();
        }
        Connection c = node.borrow();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
            rs.next();
            String v = rs.getString(1);
            long lsn = v == null ? -1 : ConsistencyToken.parse(v).lsn();
            c.rollback();
            if (lsn >= 0) {
                synchronized (node) {
                    Node.Health h = node.health();
                    if (Long.compareUnsigned(lsn, h.lsn()) > 0 || h.lsn() < 0) {
                        node.health(h.withLsn(lsn));
                    }
                }
            }
            return lsn;
        } finally {
            node.release(c);
        }
    }

    /** An LSN as PostgreSQL prints it, or "unknown". */
    public static String lsnText(long lsn) {
        return lsn < 0 ? "unknown" : new ConsistencyToken(lsn).toString();
    }
}
