package dev.replication.spi;

import java.util.List;

/**
 * Chooses one replica among those that qualify for a read. Called on the hot path of every
 * replica-routed session, so it must be cheap and must not block or query the database.
 * <p>
 * Implementations must be thread-safe. A custom selector is configured with
 * {@code replication.selector=<class name>} and needs a public no-arg constructor.
 */
public interface ReplicaSelector {

    /**
     * @param candidates qualifying replicas, never empty, in configuration order
     * @return one element of {@code candidates}
     */
    ReplicaCandidate select(List<ReplicaCandidate> candidates);
}
