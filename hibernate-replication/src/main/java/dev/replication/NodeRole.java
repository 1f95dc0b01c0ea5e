package dev.replication;

/** Role of a node as configured or as observed by the monitor. */
public enum NodeRole {
    /** Accepts writes ({@code pg_is_in_recovery()} is false). */
    PRIMARY,
    /** A hot standby replaying WAL ({@code pg_is_in_recovery()} is true). */
    REPLICA,
    /** Not (yet) known: never reached, or down. */
    UNKNOWN
}
