package dev.replication.internal.connection;

import dev.replication.PrimaryUnavailableException;
import dev.replication.ReplicationConfig;
import dev.replication.internal.Failures;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.cluster.ClusterTopology;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Lends connections to Hibernate: borrows from a node's {@link NodeConnections}, wraps each in a
 * {@link RoutedConnection} that returns it to that node and, on the primary, captures commit
 * tokens. A failure to get a primary connection becomes a {@link PrimaryUnavailableException}
 * that says why. Thread-safe.
 */
public final class ConnectionLender {

    /** What the lender reports back to the runtime. */
    public interface Callbacks {
        /** A connection of {@code node} was lost (the node is marked down until the monitor readmits it). */
        void connectionLost(Node node, String reason);

        /** A request's connection to {@code node} failed with {@code e} (the primary may be checked again at once). */
        void connectionFailed(Node node, Throwable e);

        /** A commit on the primary ended at {@code lsn}. */
        void committed(long lsn);
    }

    private final ReplicationConfig config;
    private final ClusterTopology topology;
    private final IntSupplier primaryFailures;
    private final Callbacks callbacks;

    /**
     * @param primaryFailures the current primary's failed checks in a row, for messages
     */
    public ConnectionLender(ReplicationConfig config, ClusterTopology topology, IntSupplier primaryFailures,
                            Callbacks callbacks) {
        this.config = config;
        this.topology = topology;
        this.primaryFailures = primaryFailures;
        this.callbacks = callbacks;
    }

    /** A connection of the current primary for writes. */
    public Connection primaryConnection() throws SQLException {
        return primaryConnection(null);
    }

    /** A connection of the current primary to {@code database} on its server ({@code null}: the node's own). */
    public Connection primaryConnection(String database) throws SQLException {
        Node p = topology.primary();
        if (p.fenced()) {
            throw new PrimaryUnavailableException(p.status().describe() + ": the primary is fenced and no new"
                    + " primary is known; writes are refused", null);
        }
        try {
            return p.borrow(database);
        } catch (SQLException e) {
            callbacks.connectionFailed(p, e);
            int failures = primaryFailures.getAsInt();
            throw new PrimaryUnavailableException(p.status().describe() + ": no connection to the primary ("
                    + Failures.firstLine(e) + "); failover mode " + config.failover().name().toLowerCase(Locale.ROOT)
                    + (failures >= config.failoverPrimaryFailures()
                    ? ", primary failed " + failures + " consecutive checks" : ""), e);
        }
    }

    /**
     * A connection for what is not routed (Hibernate's JDBC metadata at boot, schema tooling): the
     * primary's, or while the primary gives none, the first replica's that does, read-only. So an
     * application can start during a primary outage.
     *
     * @throws SQLException when no node gives a connection; the message names each node and what
     *                      its server or driver answered
     */
    public Connection anyConnection() throws SQLException {
        List<String> failures = new ArrayList<>();
        SQLException first;
        Node p = topology.primary();
        try {
            return wrap(primaryConnection(), p, false);
        } catch (SQLException | PrimaryUnavailableException e) {
            first = e instanceof SQLException s ? s : new SQLException(e.getMessage(), "08001", e);
            failures.add(failure(p, e));
        }
        for (Node n : topology.replicas()) {
            try {
                Connection c = wrap(n.borrow(), n, false);
                c.setReadOnly(true);
                Log.LOG.anyConnectionFromReplica(failures.get(0), n.name());
                return c;
            } catch (SQLException e) {
                failures.add(failure(n, e));
            }
        }
        throw new SQLException("No node of the cluster gives a connection: " + String.join("; ", failures), "08001",
                first);
    }

    /**
     * {@code 'node': cause}, where the cause is what the server or driver answered (a pool timeout
     * carries it as its cause; without one, the monitor's last reason stands in).
     */
    private static String failure(Node node, Exception e) {
        Throwable innermost = e;
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                innermost = t;
            }
        }
        String cause = Failures.firstLine(innermost);
        Node.Health h = node.health();
        if (innermost == e && !h.up() && h.excludedReason() != null && !cause.contains(h.excludedReason())) {
            cause = cause + " (last check: " + h.excludedReason() + ")";
        }
        return "'" + node.name() + "': " + cause;
    }

    /** A tracked connection from {@code node}'s pool, to {@code database} on its server ({@code null}: the node's own). */
    public Connection borrow(Node node, String database) throws SQLException {
        return node.borrow(database);
    }

    /** Wraps a pooled connection so it returns to {@code node}'s pool and, if asked, captures commit tokens. */
    public Connection wrap(Connection c, Node node, boolean captureTokens) {
        return new RoutedConnection(c, this, node, captureTokens);
    }

    void release(Node node, Connection c) throws SQLException {
        node.release(c);
    }

    Callbacks callbacks() {
        return callbacks;
    }
}
