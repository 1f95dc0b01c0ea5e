package dev.replication;

/** What a unit of work needs from the cluster. */
public enum Intent {
    /** Writes: always the primary. */
    WRITE,
    /** Reads that may be served by a replica chosen by the selector (lag- and token-aware). */
    READ,
    /** Reads that must see the latest committed data: the primary (the seed's {@code :read_strong}). */
    READ_STRONG
}
