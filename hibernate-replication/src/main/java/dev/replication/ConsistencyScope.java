package dev.replication;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

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

    /** The latest token, if any write was committed in this scope. */
    public Optional<ConsistencyToken> token() {
        long v = lsn.get();
        return v == 0 ? Optional.empty() : Optional.of(new ConsistencyToken(v));
    }

    /** Moves the token forward to {@code token} if it is ahead; never backward. */
    public void advance(ConsistencyToken token) {
        long t = token.lsn();
        lsn.accumulateAndGet(t, (cur, next) -> Long.compareUnsigned(next, cur) > 0 ? next : cur);
    }

    /** Forgets the token (for instance when a thread-default scope is reused for unrelated work). */
    public void clear() {
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
        return "ConsistencyScope[" + token().map(ConsistencyToken::toString).orElse("no token") + "]";
    }
}
