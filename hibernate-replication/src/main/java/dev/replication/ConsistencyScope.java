package dev.replication;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Holds the read-after-write token of one logical client (a request, a user session, a job).
 * Writes committed while the scope is bound advance its token; reads while it is bound go only to
 * replicas that replayed it. Tokens only move forward.
 * <p>
 * Binding is per thread: {@link #bind()} makes this scope current until the returned handle is
 * closed. With nothing bound, each thread has its own default scope, so plain code on one thread
 * reads its own writes. Under CDI the extension binds a request-scoped instance.
 * <p>
 * Thread-safe: one scope may be bound on several threads at once.
 */
public final class ConsistencyScope {

    private static final ThreadLocal<ConsistencyScope> THREAD_DEFAULT = ThreadLocal.withInitial(ConsistencyScope::new);
    private static final ThreadLocal<ConsistencyScope> BOUND = new ThreadLocal<>();

    private final AtomicLong lsn = new AtomicLong(0);
    /** A committed write whose position is not known yet (see {@link #advanceWhenKnown}); the latest one covers the earlier ones. */
    private final AtomicReference<LongSupplier> pending = new AtomicReference<>();

    /** A new scope with no token. */
    public ConsistencyScope() {
    }

    /** A new scope starting from a token received from elsewhere (already validated by {@link ConsistencyToken#parse}). */
    public static ConsistencyScope resume(ConsistencyToken token) {
        ConsistencyScope scope = new ConsistencyScope();
        scope.advance(token);
        return scope;
    }

    /** A new scope from the compact string form; malformed input throws {@link IllegalArgumentException}. */
    public static ConsistencyScope resume(String token) {
        return resume(ConsistencyToken.parse(token));
    }

    /** The scope bound to this thread, or the thread's default scope. */
    public static ConsistencyScope current() {
        ConsistencyScope bound = BOUND.get();
        return bound != null ? bound : THREAD_DEFAULT.get();
    }

    /** Makes this scope current on this thread until the handle is closed (which restores the previous one). */
    public Binding bind() {
        ConsistencyScope previous = BOUND.get();
        BOUND.set(this);
        return () -> {
            if (previous == null) {
                BOUND.remove();
            } else {
                BOUND.set(previous);
            }
        };
    }

    /**
     * The latest token, if any write was committed in this scope. When a write's position is
     * pending ({@link #advanceWhenKnown}), it is resolved first (on a JTA unit: one query on the
     * primary, shared by concurrent callers); if it cannot be resolved now, the latest known token
     * is returned, which does not cover that write, and the library has logged a warning
     * ({@code HRR000039}).
     */
    public Optional<ConsistencyToken> token() {
        resolvePending();
        long v = lsn.get();
        return v == 0 ? Optional.empty() : Optional.of(new ConsistencyToken(v));
    }

    /**
     * Records a committed write whose WAL position is learned later: {@code position} answers a
     * position at or after the write's commit record, or a negative value when it cannot be
     * learned now (asked again at the next use). Until it answers, reads routed in this scope go to
     * the primary. Used by the library after commits the transaction manager performs.
     */
    public void advanceWhenKnown(LongSupplier position) {
        pending.set(position);
    }

    /**
     * For routing: true when a committed write's position is pending and cannot be resolved now
     * (the read must then go to the primary); false when there is none or it was resolved into the
     * token.
     */
    public boolean positionUnknown() {
        return !resolvePending();
    }

    /** For routing: the token as an unsigned position, 0 when there is none; call {@link #positionUnknown()} first. */
    public long position() {
        return lsn.get();
    }

    /** Resolves a pending position into the token; false when one is pending and cannot be resolved now. */
    private boolean resolvePending() {
        LongSupplier p = pending.get();
        if (p == null) {
            return true;
        }
        long v = p.getAsLong();
        if (v <= 0) {
            return false;
        }
        lsn.accumulateAndGet(v, (cur, next) -> Long.compareUnsigned(next, cur) > 0 ? next : cur);
        pending.compareAndSet(p, null);
        return true;
    }

    /** Moves the token forward to {@code token} if it is ahead; never backward. */
    public void advance(ConsistencyToken token) {
        long t = token.lsn();
        lsn.accumulateAndGet(t, (cur, next) -> Long.compareUnsigned(next, cur) > 0 ? next : cur);
    }

    /** Forgets the token (for instance when a thread-default scope is reused for unrelated work). */
    public void clear() {
        pending.set(null);
        lsn.set(0);
    }

    /**
     * Lowers the token to {@code max} when it is ahead of it. The library calls this with the
     * primary's position, so that a forged or foreign token cannot make reads wait for WAL that
     * will never exist.
     */
    public void capTo(ConsistencyToken max) {
        long m = max.lsn();
        lsn.accumulateAndGet(m, (cur, cap) -> Long.compareUnsigned(cur, cap) > 0 ? cap : cur);
    }

    /** Restores the previously bound scope when closed. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public String toString() {
        long v = lsn.get();
        return "ConsistencyScope[" + (v == 0 ? "no token" : new ConsistencyToken(v).toString())
                + (pending.get() == null ? "" : ", a write's position pending") + "]";
    }
}
