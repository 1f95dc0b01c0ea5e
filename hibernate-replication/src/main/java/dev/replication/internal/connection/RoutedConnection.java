package dev.replication.internal.connection;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyToken;
import dev.replication.internal.Failures;
import dev.replication.internal.Node;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A pooled connection handed to Hibernate. It knows the node it came from (so it returns there
 * whatever tenant the session has) and, on the primary, turns each commit into a
 * read-after-write token without an extra round trip: the commit is sent as one batch
 * {@code SELECT <xid assigned?>, <asynchronous commit?>; COMMIT; SELECT <flush position>, <insert position>}.
 * The position read after COMMIT is at or after the end of the commit record, so a replica that
 * has replayed it sees the write: the flush position when the commit waited for its flush, the
 * insert position when it did not ({@code synchronous_commit=off}). Whether it waited is asked
 * before COMMIT, inside the transaction, because a {@code SET LOCAL synchronous_commit} of the
 * transaction no longer shows after it. Transactions that wrote nothing produce no token.
 */
public final class RoutedConnection extends DelegatingConnection {

    /** Inside the transaction: did it write, and does its commit skip waiting for the flush. */
    private static final String WROTE_SQL = "SELECT pg_current_xact_id_if_assigned() IS NOT NULL,"
            + " current_setting('synchronous_commit') = 'off'";
    private static final String POSITIONS_SQL = "SELECT pg_current_wal_flush_lsn()::text, pg_current_wal_insert_lsn()::text";
    static final String COMMIT_WITH_TOKEN = WROTE_SQL + "; COMMIT; " + POSITIONS_SQL;

    /** SQLSTATE 08007, transaction_resolution_unknown. */
    public static final String OUTCOME_UNKNOWN = "08007";

    private final ConnectionLender lender;
    private final Node node;
    private final boolean captureToken;
    private boolean closed;

    RoutedConnection(Connection delegate, ConnectionLender lender, Node node, boolean captureToken) {
        super(delegate);
        this.lender = lender;
        this.node = node;
        this.captureToken = captureToken;
    }

    public Node node() {
        return node;
    }

    @Override
    public void commit() throws SQLException {
        try {
            if (captureToken && !delegate.getAutoCommit()) {
                commitWithToken();
            } else {
                delegate.commit();
            }
        } catch (SQLException e) {
            if (isConnectionFailure(e) || !node.health().up() || isClosedQuietly()) {
                lender.callbacks().connectionFailed(node, e);
                lender.callbacks().connectionLost(node, "connection lost during commit: " + Failures.firstLine(e));
                throw new SQLException(node.status().describe() + ": the connection to the primary was lost while"
                        + " committing; the transaction may or may not have been committed", OUTCOME_UNKNOWN, e);
            }
            throw e;
        }
    }

    private void commitWithToken() throws SQLException {
        TransactionStates.State state = TransactionStates.of(delegate);
        if (state == TransactionStates.State.UNKNOWN) {
            commitThenAskPosition();
            return;
        }
        if (state != TransactionStates.State.OPEN) {
            delegate.commit();
            return;
        }
        // a PreparedStatement: pgjdbc caches it per connection and, after a few uses, keeps it
        // prepared on the server, so the batch is not parsed again on every commit
        try (PreparedStatement st = delegate.prepareStatement(COMMIT_WITH_TOKEN)) {
            st.execute();
            boolean wrote;
            boolean asynchronous;
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
                wrote = rs.getBoolean(1);
                asynchronous = rs.getBoolean(2);
            }
            st.getMoreResults();
            st.getMoreResults();
            if (wrote) {
                try (ResultSet rs = st.getResultSet()) {
                    rs.next();
                    // a synchronous commit returned after its record was flushed; an asynchronous one may
                    // not be flushed yet, and only the insert position covers it
                    ConsistencyToken token = ConsistencyToken.parse(rs.getString(asynchronous ? 2 : 1));
                    lender.callbacks().committed(token.lsn());
                    ConsistencyScope.current().advance(token);
                }
            }
        }
    }

    /**
     * Where the transaction's state cannot be read (a pool that hides the driver's connection): the
     * commit alone, then the committed position in a statement of its own when the transaction wrote.
     * One more round trip, the same token.
     */
    private void commitThenAskPosition() throws SQLException {
        boolean wrote;
        boolean asynchronous;
        try (PreparedStatement st = delegate.prepareStatement(WROTE_SQL); ResultSet rs = st.executeQuery()) {
            rs.next();
            wrote = rs.getBoolean(1);
            asynchronous = rs.getBoolean(2);
        }
        delegate.commit();
        if (wrote) {
            try (PreparedStatement st = delegate.prepareStatement(POSITIONS_SQL); ResultSet rs = st.executeQuery()) {
                rs.next();
                ConsistencyToken token = ConsistencyToken.parse(rs.getString(asynchronous ? 2 : 1));
                lender.callbacks().committed(token.lsn());
                ConsistencyScope.current().advance(token);
            }
            delegate.commit();
        }
    }

    private boolean isClosedQuietly() {
        try {
            return delegate.isClosed();
        } catch (SQLException | RuntimeException e) {
            return true;
        }
    }

    /**
     * Connection-class failures: SQLSTATE 08xxx, the server going away (57P01 admin shutdown,
     * 57P02 crash shutdown, 57P03 cannot connect now...), or an I/O error under the driver.
     */
    public static boolean isConnectionFailure(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (t instanceof IOException) {
                return true;
            }
            // HikariCP swaps a broken connection's delegate for a closed one that throws this, without SQLSTATE
            if (t instanceof SQLException s && s.getSQLState() == null && "Connection is closed".equals(s.getMessage())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws SQLException {
        if (!closed) {
            closed = true;
            lender.release(node, delegate);
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        return closed || delegate.isClosed();
    }
}
