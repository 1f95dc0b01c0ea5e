package dev.replication.demo;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling with a deadline, and the millisecond arithmetic the demo prints. */
final class Waits {

    private Waits() {
    }

    /** Polls {@code condition} every 50 ms until true or the deadline; true when it became true. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(50);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
