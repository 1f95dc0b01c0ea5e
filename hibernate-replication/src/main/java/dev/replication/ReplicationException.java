package dev.replication;

/**
 * Base type of every exception this library throws. Messages start with the node concerned and
 * its state (lag, pool counts) where one is concerned.
 */
public class ReplicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReplicationException(String message) {
        super(message);
    }

    public ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
