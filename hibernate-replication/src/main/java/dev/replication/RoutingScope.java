package dev.replication;

/**
 * An open routing scope (see {@link Routing}). Closing it restores the enclosing scope.
 * Not thread-safe: use it on the thread that opened it.
 */
public interface RoutingScope extends AutoCloseable {

    Intent intent();

    RoutingOptions options();

    /** The decision made for this scope, once a session has been opened in it. */
    java.util.Optional<RoutingDecision> decision();

    @Override
    void close();
}
