package dev.replication;

import java.util.Map;

/**
 * A read required a replica (policy {@code fail}) and none qualified. {@link #reasons()} names
 * each replica and why it was skipped.
 */
public class NoReplicaAvailableException extends ReplicationException {
    private static final long serialVersionUID = 1L;
    private final transient Map<String, String> reasons;

    public NoReplicaAvailableException(String message, Map<String, String> reasons) {
        super(message);
        this.reasons = Map.copyOf(reasons);
    }

    /** Replica name to the reason it was not used. */
    public Map<String, String> reasons() {
        return reasons;
    }
}
