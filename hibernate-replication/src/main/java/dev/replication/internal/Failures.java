package dev.replication.internal;

import dev.replication.PrimaryUnavailableException;
import dev.replication.ReadOnlyViolationException;
import dev.replication.ReplicationException;
import dev.replication.RoutingDecision;
import dev.replication.TransactionOutcomeUnknownException;
import dev.replication.internal.connection.RoutedConnection;
import org.hibernate.JDBCException;
import org.hibernate.exception.JDBCConnectionException;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import java.util.Locale;

/** Turns failures seen through Hibernate/JPA into the library's exceptions where one applies. */
public final class Failures {
    private static final String READ_ONLY_SQL_TRANSACTION = "25006";

    private Failures() {
    }

    /**
     * The exception to throw for {@code e} raised in a scope that resolved to {@code decision}
     * (may be null): a library exception if one is in the chain or applies, else {@code e}.
     */
    public static RuntimeException translate(RuntimeException e, RoutingDecision decision, ReplicationRuntime runtime) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ReplicationException re) {
                return re;
            }
            if (t instanceof SQLException s && RoutedConnection.OUTCOME_UNKNOWN.equals(s.getSQLState())) {
                return new TransactionOutcomeUnknownException(s.getMessage(), e);
            }
        }
        if (decision != null && !decision.replica() && isConnectionFailure(e)) {
            runtime.node(decision.node()).ifPresent(n -> runtime.connectionFailed(n, e));
            String where = runtime.node(decision.node()).map(n -> n.status().describe()).orElse(decision.node());
            return new PrimaryUnavailableException(where + ": the connection to the primary failed before commit, so"
                    + " the transaction was not committed (" + firstMessage(e) + "); failover mode "
                    + runtime.config().failover().name().toLowerCase(Locale.ROOT), e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (READ_ONLY_SQL_TRANSACTION.equals(state) && decision != null) {
                    String where = runtime.node(decision.node()).map(n -> n.status().describe()).orElse(decision.node());
                    return new ReadOnlyViolationException(where + ": write attempted in a " + decision.intent()
                            + " scope routed to " + (decision.replica() ? "replica" : "the primary, read-only")
                            + " (" + decision.reason() + "); use a WRITE scope (@Primary) for writes", s);
                }
            }
        }
        return e;
    }

    /**
     * The exception to throw for a JTA transaction whose commit failed ({@code e} wraps what the
     * transaction manager threw). A connection failure after the commit had started (flush done)
     * leaves the outcome unknown, whatever the manager says: one-phase resources report it as a
     * rollback. Before that, the transaction was not committed.
     *
     * @param reportedRolledBack the manager reported a rollback (not a heuristic or system error)
     */
    public static RuntimeException translateCommit(RuntimeException e, RoutingDecision decision, ReplicationRuntime runtime,
                                                   boolean reportedRolledBack) {
        boolean commitStarted = JtaCommits.lastCommitFailedAfterStart();
        if (decision != null && !decision.replica() && (commitStarted || !reportedRolledBack)) {
            // Transaction managers often drop the resource's exception: when none is attached, a
            // primary that cannot be reached now tells a lost connection from a refused commit.
            boolean lost = isConnectionFailure(e) || runtime.positions().primaryCommittedLsn() < 0;
            if (lost) {
                runtime.node(decision.node()).ifPresent(n -> runtime.markDown(n, "connection lost during a JTA commit"));
                String where = runtime.node(decision.node()).map(n -> n.status().describe()).orElse(decision.node());
                return new TransactionOutcomeUnknownException(where + ": the connection to the primary was lost while"
                        + " the transaction manager committed; the transaction may or may not have been committed ("
                        + firstMessage(e) + ")", e);
            }
        }
        return translate(e, decision, runtime);
    }

    /**
     * A connection-failure exception standing for {@code symptom}, which the work raised after its
     * connection to {@code node} was lost (the symptom is kept as the cause).
     */
    public static RuntimeException connectionLost(RuntimeException symptom, Node node) {
        SQLException lost = new SQLException(node.status().describe() + ": the connection was lost during the"
                + " transaction (the work then failed with: " + symptom + ")", "08006", symptom);
        return new JDBCConnectionException(lost.getMessage(), lost);
    }

    /** The first line of {@code e}'s message (its class name when it has none): server messages carry details after it. */
    public static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    private static String firstMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException && t.getMessage() != null) {
                return firstLine(t);
            }
        }
        return String.valueOf(e.getMessage());
    }

    /** True when {@code e} comes from a lost or refused connection (worth one retry for reads). */
    public static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JDBCConnectionException) {
                return true;
            }
            if (t instanceof SQLException s && RoutedConnection.isConnectionFailure(s)) {
                return true;
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code e} says the server is not there: the connection was refused, reset, or ended
     * by the server's side (a killed server's sockets close at once). Not a timeout, and not a
     * connection this process closed or aborted itself: a hung server looks like those.
     */
    public static boolean isHardConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof EOFException) {
                return true;
            }
            if (t instanceof SocketException && t.getMessage() != null) {
                String m = t.getMessage().toLowerCase(Locale.ROOT);
                if (m.contains("reset") || m.contains("broken pipe") || m.contains("refused")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * True when a read that failed with {@code e} on {@code node} is worth one retry elsewhere: a
     * connection failure, or any JDBC failure on a node the monitor has meanwhile marked down (its
     * connections were aborted, which surfaces as "connection is closed" without a SQLSTATE).
     */
    public static boolean retryableRead(Throwable e, Node node) {
        if (isConnectionFailure(e)) {
            return true;
        }
        if (node != null && !node.health().up()) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException || t instanceof JDBCException) {
                    return true;
                }
            }
        }
        return false;
    }
}
