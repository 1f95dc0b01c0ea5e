package dev.replication.cdi.internal;

import jakarta.persistence.EntityManager;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * Per-thread stack of the EntityManagers of the annotated calls in progress (innermost on top).
 * A frame holds either an open EntityManager (resource-local calls) or the means to open one on
 * first use (JTA calls: opened inside the transaction that {@code @Transactional} or the
 * interceptor began, so that it joins it).
 */
public final class CurrentEntityManager {
    private static final ThreadLocal<Deque<Frame>> STACK = new ThreadLocal<>();

    private CurrentEntityManager() {
    }

    /** One annotated call's EntityManager. */
    public static final class Frame implements AutoCloseable {
        private final Supplier<EntityManager> opener;
        private final boolean replica;
        private EntityManager em;
        private volatile int completion = -1;

        private Frame(EntityManager em, Supplier<EntityManager> opener, boolean replica) {
            this.em = em;
            this.opener = opener;
            this.replica = replica;
        }

        /** The frame's EntityManager, opened now if it was not yet. */
        public EntityManager entityManager() {
            if (em == null) {
                em = opener.get();
            }
            return em;
        }

        /**
         * Records the outcome of the transaction the EntityManager joined, once it completes
         * ({@code jakarta.transaction.Status} value; -1 until then or without one).
         */
        public void completed(int status) {
            this.completion = status;
        }

        /** The outcome recorded by {@link #completed(int)}, or -1. */
        public int completion() {
            return completion;
        }

        /** True when the call reads on a replica. */
        public boolean replica() {
            return replica;
        }

        /** Closes an EntityManager this frame opened (one that was handed in is closed by its owner). */
        @Override
        public void close() {
            if (opener != null && em != null && em.isOpen()) {
                em.close();
            }
        }
    }

    /** The EntityManager of the innermost annotated call on this thread, or {@code null}. */
    public static EntityManager top() {
        Frame f = topFrame();
        return f == null ? null : f.entityManager();
    }

    /** The innermost annotated call's frame on this thread, or {@code null}. */
    public static Frame topFrame() {
        Deque<Frame> d = STACK.get();
        return d == null ? null : d.peek();
    }

    /** Pushes an open EntityManager (its owner closes it). */
    public static void push(EntityManager em) {
        push(new Frame(em, null, false));
    }

    /** Pushes a frame whose EntityManager {@code opener} opens on first use; close the frame after {@link #pop()}. */
    public static Frame pushLazy(Supplier<EntityManager> opener, boolean replica) {
        Frame f = new Frame(null, opener, replica);
        push(f);
        return f;
    }

    private static void push(Frame f) {
        Deque<Frame> d = STACK.get();
        if (d == null) {
            d = new ArrayDeque<>(4);
            STACK.set(d);
        }
        d.push(f);
    }

    public static void pop() {
        Deque<Frame> d = STACK.get();
        if (d != null) {
            d.pop();
            if (d.isEmpty()) {
                STACK.remove();
            }
        }
    }
}
