package dev.replication;

/** What a read does when no replica qualifies. */
public enum NoReplicaPolicy {
    /** Read on the primary (logged once per state change, not per call). */
    PRIMARY,
    /** Throw {@link NoReplicaAvailableException} naming each replica and why it was skipped. */
    FAIL
}
