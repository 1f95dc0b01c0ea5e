package dev.replication.spi;

import dev.replication.RoutingDecision;

import java.time.Duration;

/**
 * Receives routing events. Called synchronously on the thread that routes, so implementations
 * must be fast, thread-safe and must not throw (exceptions are logged and ignored). With no
 * listener registered the library does no work to publish events.
 */
public interface RoutingListener {

    /** A routing scope was resolved to a node (once per scope and session factory). */
    default void routed(RoutingDecision decision) {
    }

    /** A read waited for a replica to replay the scope's token; {@code satisfied} is false on timeout. */
    default void tokenWaited(String node, Duration waited, boolean satisfied) {
    }

    /** A read was retried on another node after a connection failure on {@code failedNode}. */
    default void readRetried(String failedNode, String reason) {
    }

    /** A new primary took over ({@code oldPrimary} may be null when unknown). */
    default void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
    }

    /** A node's health changed (down, up, excluded, readmitted, fenced). */
    default void nodeStateChanged(String node, String state, String reason) {
    }
}
