package dev.replication;

/** Thrown when a read must not fall back to the primary and no replica replayed the scope's token in time. */
public class ConsistencyTimeoutException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    public ConsistencyTimeoutException(String message) {
        super(message);
    }
}
