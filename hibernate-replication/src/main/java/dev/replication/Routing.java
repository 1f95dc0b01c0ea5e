package dev.replication;

import dev.replication.internal.ScopeStack;

import java.util.Optional;

/**
 * Opens thread-bound routing scopes. A scope must be opened <em>before</em> the
 * {@code EntityManager}/{@code Session} it routes is created, and closed on the same thread, in
 * reverse order of opening (use try-with-resources).
 * <p>
 * Nesting rules:
 * <ul>
 *   <li>A READ scope inside any open scope keeps the enclosing scope's node: a read inside a
 *       write transaction stays on the primary (never switch node inside a transaction), and a
 *       read inside a read stays on the same replica.</li>
 *   <li>A WRITE or READ_STRONG scope always resolves to the primary, also inside a READ scope
 *       (it needs its own session: the enclosing replica session cannot write).</li>
 * </ul>
 * Thread-safe: each thread has its own stack of scopes.
 */
public final class Routing {
    private Routing() {
    }

    /** Opens a scope with the configured defaults. */
    public static RoutingScope open(Intent intent) {
        return open(intent, RoutingOptions.DEFAULT);
    }

    /** Opens a scope with per-call overrides. */
    public static RoutingScope open(Intent intent, RoutingOptions options) {
        return ScopeStack.push(intent, options);
    }

    /** The innermost open scope of this thread. */
    public static Optional<RoutingScope> current() {
        return Optional.ofNullable(ScopeStack.current());
    }
}
