package dev.replication.internal.connection;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.SQLException;

/** The only place that reaches pgjdbc's own connection class; loaded by {@link TransactionStates} when it can be. */
final class PgjdbcState {
    private PgjdbcState() {
    }

    static TransactionStates.State of(Connection c) throws SQLException {
        if (!c.isWrapperFor(BaseConnection.class)) {
            return TransactionStates.State.UNKNOWN;
        }
        TransactionState s = c.unwrap(BaseConnection.class).getTransactionState();
        return s == TransactionState.IDLE ? TransactionStates.State.IDLE
                : s == TransactionState.OPEN ? TransactionStates.State.OPEN : TransactionStates.State.FAILED;
    }
}
