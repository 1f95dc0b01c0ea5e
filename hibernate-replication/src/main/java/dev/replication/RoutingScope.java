package dev.replication;

import java.util.Optional;

/**
 * An open routing scope (see {@link Routing}). Closing it restores the enclosing scope.
 * Not thread-safe: use it on the thread that opened it.
 */
public interface RoutingScope extends AutoCloseable {

    Intent intent();

    RoutingOptions options();

    /** The decision made for this scope, once a session has been opened in it. */
    Optional<RoutingDecision> decision();

    @Override
    void close();
}
