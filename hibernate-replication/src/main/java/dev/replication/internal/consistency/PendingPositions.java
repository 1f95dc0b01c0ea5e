package dev.replication.internal.consistency;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Read-after-write positions learned after the commit instead of during it, for commits that the
 * transaction manager performs (JTA). A commit takes a ticket and costs nothing more; the first
 * read that needs the position asks the primary once, and every commit whose ticket was taken
 * before that question was sent is covered by its answer: the primary's position read after a
 * commit returned is at or after that commit's record. Concurrent readers share one question.
 * <p>
 * Thread-safe.
 */
public final class PendingPositions {

    /** Asks the primary for its committed position now; a negative answer when it cannot. */
    @FunctionalInterface
    public interface PrimaryQuestion {
        long ask();
    }

    /** Told when a pending position could not be resolved (the scope's reads then go to the primary). */
    @FunctionalInterface
    public interface Failure {
        void unresolved();
    }

    private final PrimaryQuestion question;
    private final Failure failure;
    /** Tickets handed out; a question takes the next one before it is sent. */
    private final AtomicLong tickets = new AtomicLong();
    private volatile Answer latest = new Answer(0, -1);
    private CompletableFuture<Answer> inFlight;
    private long inFlightTicket;

    public PendingPositions(PrimaryQuestion question, Failure failure) {
        this.question = question;
        this.failure = failure;
    }

    /**
     * A position to resolve later for a commit that has just returned: it answers a position
     * covering that commit, or -1 when the primary cannot be asked now (the caller tries again at
     * its next use).
     */
    public LongSupplier afterCommit() {
        long ticket = tickets.get();
        return () -> resolve(ticket);
    }

    /** Keeps the newest answer, so commits made before its question need no question of their own. */
    private void record(Answer a) {
        synchronized (this) {
            if (a.lsn > 0 && a.ticket > latest.ticket) {
                latest = a;
            }
        }
    }

    long resolve(long ticket) {
        Answer known = latest;
        if (known.ticket > ticket && known.lsn > 0) {
            return known.lsn;
        }
        CompletableFuture<Answer> mine;
        long t = 0;
        synchronized (this) {
            if (inFlight != null && inFlightTicket > ticket) {
                mine = inFlight;
            } else {
                mine = new CompletableFuture<>();
                inFlight = mine;
                t = tickets.incrementAndGet();
                inFlightTicket = t;
            }
        }
        if (t != 0) {
            Answer a;
            try {
                a = new Answer(t, question.ask());
            } catch (RuntimeException e) {
                a = new Answer(t, -1);
            }
            record(a);
            synchronized (this) {
                if (inFlight == mine) {
                    inFlight = null;
                }
            }
            mine.complete(a);
        }
        Answer a = mine.join();
        if (a.lsn <= 0) {
            failure.unresolved();
            return -1;
        }
        return a.lsn;
    }

    private record Answer(long ticket, long lsn) {
    }
}
