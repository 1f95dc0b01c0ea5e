package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition with a deadline; never an unbounded sleep loop. */
public final class Poll {
    private Poll() {
    }

    /** A probe: returns a non-null value once the condition holds, null otherwise. */
    @FunctionalInterface
    public interface Probe<T> {
        /**
         * @return the value once ready, or null to poll again
         * @throws Exception a failure that is remembered and reported if the deadline passes
         */
        T get() throws Exception;
    }

    /**
     * Polls {@code probe} until it returns non-null or {@code timeout} passes.
     *
     * @param timeout the deadline
     * @param probe the condition
     * @param state describes what was seen, used in the timeout message
     * @param <T> the value type
     * @return the first non-null value
     */
    public static <T> T until(Duration timeout, Probe<T> probe, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleepMs = 2;
        Exception last = null;
        while (true) {
            try {
                T v = probe.get();
                if (v != null) {
                    return v;
                }
                last = null;
            } catch (PgClusterException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgClusterException(state.get() + " (interrupted)", e);
            } catch (Exception e) {
                last = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String msg = state.get() + " (timed out after " + timeout.toMillis() + " ms"
                        + (last != null ? "; last error: " + last : "") + ")";
                throw new PgClusterException(msg, last);
            }
            sleep(Math.min(sleepMs, Math.max(1, left / 1_000_000)));
            sleepMs = Math.min(50, sleepMs * 2);
        }
    }

    /**
     * Sleeps a bounded, short time, as one step of a deadline-bounded poll.
     *
     * @param ms milliseconds
     */
    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgClusterException("interrupted while waiting", e);
        }
    }
}
