package dev.replication.internal.connection;

import java.sql.Connection;

/**
 * Whether a PostgreSQL transaction is open on a pooled connection, from pgjdbc when the pool lets
 * the driver's connection be reached. An application server's pool may not (WildFly's IronJacamar
 * refuses {@code unwrap} to a driver class the application sees through another class loader:
 * {@code IJ031030}), and pgjdbc's classes may not be visible to the application at all: the answer is
 * then {@link State#UNKNOWN} and callers take a path that does not need it.
 */
public final class TransactionStates {

    /** What is known of the connection's transaction. */
    public enum State { IDLE, OPEN, FAILED, UNKNOWN }

    private TransactionStates() {
    }

    public static State of(Connection c) {
        try {
            return PgjdbcState.of(c);
        } catch (java.sql.SQLException | RuntimeException | LinkageError e) {
            return State.UNKNOWN;
        }
    }
}
