package dev.replication.bench;

import java.util.Map;

/**
 * One contender of benchmark 3: each cycle writes a value to the variant's own row on the
 * primary, then reads that row back the way the contender would. Used from one thread.
 */
interface WriteThenRead {

    /** The read value and the read latency, from after the write's commit to the end of the read. */
    record Outcome(long read, long readNanos) {
    }

    /** The key in {@code results.json}, e.g. {@code a_library}. */
    String key();

    /** The label in the Markdown table. */
    String label();

    Outcome cycle(long value);

    /** Forgets what was counted so far (called after the warm-up). */
    default void resetCounters() {
    }

    /** Adds the variant's own counters to its JSON object. */
    default void addDetails(Map<String, Object> json) {
    }
}
