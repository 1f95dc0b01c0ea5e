package dev.replication.spi;

import dev.replication.Promotion;
import dev.replication.RoutingDecision;

import java.time.Duration;
import java.util.List;

/**
 * Receives routing events. Called synchronously on the thread that routes, so implementations
 * must be fast, thread-safe and must not throw (exceptions are logged and ignored). With no
 * listener registered the library does no work to publish events.
 */
public interface RoutingListener {

    /** A routing scope was resolved to a node (once per scope and session factory). */
    default void routed(RoutingDecision decision) {
    }

    /**
     * A read waited for a replica to replay the scope's token. Implement either this method or
     * {@link #tokenWaited(String, Duration, boolean, List)}, which calls this one by default.
     *
     * @param node      the node that serves the read: the replica that replayed the token when
     *                  {@code satisfied}; on timeout the primary (policy {@code primary}), or
     *                  {@code null} when the read fails with {@code ConsistencyTimeoutException}
     * @param waited    how long the read waited
     * @param satisfied false when no replica replayed the token within the wait timeout
     */
    default void tokenWaited(String node, Duration waited, boolean satisfied) {
    }

    /**
     * Like {@link #tokenWaited(String, Duration, boolean)}, with the candidates the read waited
     * for: every node that could serve it, probed in turn until one had replayed the token.
     *
     * @param waitedFor the names of the nodes waited for (never empty)
     */
    default void tokenWaited(String node, Duration waited, boolean satisfied, List<String> waitedFor) {
        tokenWaited(node, waited, satisfied);
    }

    /**
     * The WAL position of a committed write could not be learned (the primary did not answer the
     * question asked after a JTA commit): the reads of the scope that made it go to the primary
     * until it is learned ({@link dev.replication.RoutingReason#TOKEN_UNKNOWN}).
     *
     * @param reason why, without credentials
     */
    default void positionUnknown(String reason) {
    }

    /** A read was retried on another node after a connection failure on {@code failedNode}. */
    default void readRetried(String failedNode, String reason) {
    }

    /** A new primary took over ({@code oldPrimary} may be null when unknown). */
    default void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
    }

    /**
     * This library promoted a standby; says which WAL range may have been lost. Called before
     * {@link #primaryChanged(String, String, boolean)} for the same change.
     */
    default void promoted(Promotion promotion) {
    }

    /** A node's health changed (down, up, excluded, readmitted, fenced). */
    default void nodeStateChanged(String node, String state, String reason) {
    }
}
