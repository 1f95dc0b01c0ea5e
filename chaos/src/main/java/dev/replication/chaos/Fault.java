package dev.replication.chaos;

/**
 * A fault the nemesis injected, from injection to healing.
 *
 * @param kind   the fault
 * @param node   the node it hit ({@code *} for a connection storm)
 * @param start  {@link System#nanoTime()} at injection
 * @param end    {@link System#nanoTime()} when healed
 * @param detail what exactly was done (durations, the promoted node, errors of the nemesis itself)
 */
record Fault(Kind kind, String node, long start, long end, String detail) {

    /** The fault kinds of the schedule. */
    enum Kind {
        REPLICA_KILL, REPLICA_STOP, PRIMARY_STOP, REPLAY_PAUSE, APPLY_DELAY, CONNECTION_STORM, PRIMARY_KILL
    }
}
