package dev.replication.testkit;

/**
 * The one exception type of the testkit: a server could not be started, stopped or signalled, a
 * condition was not reached before its deadline, or a SQL call made by the testkit failed.
 * Messages start with the node (or cluster) and the state that was seen.
 */
public class PgClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, starting with the node name and the state seen
     */
    public PgClusterException(String message) {
        super(message);
    }

    /**
     * @param message what failed, starting with the node name and the state seen
     * @param cause the underlying failure
     */
    public PgClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
