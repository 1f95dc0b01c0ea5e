package dev.replication;

/** A configuration key has a bad value, is unknown, or a required key is missing. Thrown at startup. */
public class ReplicationConfigurationException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    public ReplicationConfigurationException(String message) {
        super(message);
    }

    public ReplicationConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
