package dev.replication;

/** A statement tried to write while routed to a replica (a READ scope). The PostgreSQL error is the cause. */
public class ReadOnlyViolationException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyViolationException(String message, Throwable cause) {
        super(message, cause);
    }
}
