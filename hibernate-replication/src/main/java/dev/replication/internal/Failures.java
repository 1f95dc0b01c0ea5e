package dev.replication.internal;

import dev.replication.ReadOnlyViolationException;
import dev.replication.ReplicationException;
import dev.replication.RoutingDecision;
import dev.replication.TransactionOutcomeUnknownException;

import java.sql.SQLException;

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
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (RoutedConnection.OUTCOME_UNKNOWN.equals(state)) {
                    return new TransactionOutcomeUnknownException(s.getMessage(), e);
                }
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

    /** True when {@code e} comes from a lost or refused connection (worth one retry for reads). */
    public static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return RoutedConnection.isConnectionFailure(s);
            }
        }
        return false;
    }
}
