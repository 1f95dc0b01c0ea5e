package dev.replication;

/**
 * No primary can take writes: it is down and no failover has completed (mode {@code manual}, or a
 * promotion in progress), or every candidate is fenced.
 */
public class PrimaryUnavailableException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    public PrimaryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
