package dev.replication.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, polling every 20 ms; never an unbounded or bare sleep. */
public final class Await {
    private static final long POLL_NANOS = 20_000_000L;

    private Await() {
    }

    /**
     * Returns as soon as {@code condition} holds.
     *
     * @param what    what is awaited, for the failure message
     * @param timeout the deadline
     * @throws AssertionError naming {@code what} when the deadline passes first
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }
}
