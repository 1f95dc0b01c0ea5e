package dev.replication.internal.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The primary's WAL positions over time, sampled by the monitor, to turn a replica's replayed
 * position into a time lag: how long the oldest WAL it lacks has existed. Zero on an idle primary,
 * unlike {@code now() - pg_last_xact_replay_timestamp()}. Written and read on the monitor thread.
 */
final class PrimaryHistory {
    private final Deque<long[]> samples = new ArrayDeque<>();
    private final long keepMillis;

    PrimaryHistory(Duration maxLag) {
        this.keepMillis = Math.max(maxLag.toMillis() * 4, 60_000);
    }

    void record(long lsn, Instant now) {
        long t = now.toEpochMilli();
        if (samples.isEmpty() || Long.compareUnsigned(samples.peekLast()[0], lsn) != 0) {
            samples.addLast(new long[] {lsn, t});
        }
        long horizon = t - keepMillis;
        while (samples.size() > 2 && samples.peekFirst()[1] < horizon) {
            samples.removeFirst();
        }
    }

    Duration timeLag(long replayed, long primaryLsn, Instant now) {
        if (Long.compareUnsigned(replayed, primaryLsn) >= 0) {
            return Duration.ZERO;
        }
        long since = -1;
        for (var it = samples.descendingIterator(); it.hasNext(); ) {
            long[] sample = it.next();
            if (Long.compareUnsigned(sample[0], replayed) > 0) {
                since = sample[1];
            } else {
                break;
            }
        }
        if (since < 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(Math.max(0, now.toEpochMilli() - since));
    }
}
