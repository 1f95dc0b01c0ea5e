package dev.replication.internal;

import dev.replication.ConsistencyScope;
import dev.replication.internal.cluster.ClusterTopology;
import dev.replication.internal.consistency.PendingPositions;
import dev.replication.internal.consistency.ReplayPositions;
import dev.replication.internal.observe.EventPublisher;
import jakarta.transaction.Transaction;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The positions behind read-after-write tokens, for the router and the commit paths: the primary's
 * known and committed positions, replicas' replay positions, and the pending positions of JTA
 * commits with what happens when one cannot be learned (WARN HRR000039 at most every 10 s, an event,
 * the scope's reads on the primary). Thread-safe.
 */
public final class ReadAfterWrite {
    private static final long UNKNOWN_WARNING_SPACING_NANOS = 10_000_000_000L;

    private final ClusterTopology topology;
    private final ReplayPositions positions;
    private final EventPublisher events;
    private final Supplier<JtaCommits> jta;
    private final PendingPositions pending;
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - UNKNOWN_WARNING_SPACING_NANOS);

    ReadAfterWrite(ClusterTopology topology, EventPublisher events, Supplier<JtaCommits> jta) {
        this.topology = topology;
        this.positions = new ReplayPositions(topology);
        this.events = events;
        this.jta = jta;
        this.pending = new PendingPositions(this::askCommittedPosition, this::positionUnknown);
    }

    /** The highest commit position this process acknowledged (a token it handed out), 0 before any. */
    long acknowledgedLsn() {
        return positions.acknowledgedLsn();
    }

    long replayLsn(Node node) throws SQLException {
        return positions.replayLsn(node);
    }

    /** The highest primary WAL position known: the monitor's last check, or a commit made since. -1 when never seen. */
    public long knownPrimaryLsn() {
        return positions.knownPrimaryLsn();
    }

    long refreshPrimaryLsn() {
        return positions.refreshPrimaryLsn();
    }

    /**
     * The primary position covering every commit that returned before this call, asked now on a
     * connection of its own (for a JTA-enlisting data source: call it with no transaction active,
     * or after one completed), or -1 when the primary cannot be asked.
     */
    public long primaryCommittedLsn() {
        return positions.primaryCommittedLsn();
    }

    /** Records a commit position seen on the primary (tokens are never capped below it). */
    public void committed(long lsn) {
        positions.committed(lsn);
    }

    /**
     * A JTA commit just returned on this thread: its position is learned when a read first needs
     * it ({@link PendingPositions}), so the commit costs no round trip and takes no connection while
     * the completed transaction is still associated with the thread (which some pools refuse).
     */
    public void afterJtaCommit() {
        ConsistencyScope.current().advanceWhenKnown(pending.afterCommit());
    }

    /**
     * A position asked now: for a write whose commit was not heard of but is known to be over; it
     * goes through the same question (shared with concurrent readers, failures reported the same way).
     */
    long positionAskedNow() {
        return pending.afterCommit().getAsLong();
    }

    /** How many times a committed write's position could not be learned. */
    public long unknownPositions() {
        return unknown.get();
    }

    /** The question behind pending positions: asked on a connection outside any JTA transaction of the caller. */
    private long askCommittedPosition() {
        JtaCommits j = jta.get();
        Transaction suspended = j == null ? null : j.suspendAny();
        try {
            long lsn = positions.primaryCommittedLsn();
            if (lsn > 0) {
                positions.committed(lsn);
            }
            return lsn;
        } finally {
            if (j != null) {
                j.resume(suspended);
            }
        }
    }

    private void positionUnknown() {
        long n = unknown.incrementAndGet();
        Node primary = topology.primary();
        String reason = "the primary '" + primary.name() + "' gave no position (" + primary.status().describe() + ")";
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= UNKNOWN_WARNING_SPACING_NANOS && lastWarning.compareAndSet(last, now)) {
            Log.LOG.positionUnknown(reason, n);
        } else {
            Log.LOG.debugf("read-after-write position unknown: %s", reason);
        }
        events.fire(l -> l.positionUnknown(reason));
    }
}
