package dev.replication.cdi.internal;

import jakarta.persistence.EntityManager;

import java.util.ArrayDeque;
import java.util.Deque;

/** Per-thread stack of the EntityManagers of the annotated calls in progress (innermost on top). */
public final class CurrentEntityManager {
    private static final ThreadLocal<Deque<EntityManager>> STACK = new ThreadLocal<>();

    private CurrentEntityManager() {
    }

    /** The EntityManager of the innermost annotated call on this thread, or {@code null}. */
    public static EntityManager top() {
        Deque<EntityManager> d = STACK.get();
        return d == null ? null : d.peek();
    }

    public static void push(EntityManager em) {
        Deque<EntityManager> d = STACK.get();
        if (d == null) {
            d = new ArrayDeque<>(4);
            STACK.set(d);
        }
        d.push(em);
    }

    public static void pop() {
        Deque<EntityManager> d = STACK.get();
        if (d != null) {
            d.pop();
            if (d.isEmpty()) {
                STACK.remove();
            }
        }
    }
}
