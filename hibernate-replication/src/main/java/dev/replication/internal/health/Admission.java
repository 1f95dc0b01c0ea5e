package dev.replication.internal.health;

/**
 * The health policy's memory of one node across checks: streaks of good and bad checks, whether
 * it is on probation (excluded until enough good checks), and the last exclusion reason.
 * Guarded by the node's lock.
 */
final class Admission {
    int goodStreak;
    int badStreak;
    boolean probation;
    String lastExclusion;
    /** Found after startup: even its first check does not admit it at once. */
    boolean lateJoiner;
}
