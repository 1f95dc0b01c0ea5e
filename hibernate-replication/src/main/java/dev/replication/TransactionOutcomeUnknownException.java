package dev.replication;

/**
 * The connection to the primary was lost while a transaction was committing: it may or may not
 * have been committed. Callers must check before retrying a non-idempotent write.
 */
public class TransactionOutcomeUnknownException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    public TransactionOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
