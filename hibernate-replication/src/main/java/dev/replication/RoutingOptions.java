package dev.replication;

import java.time.Duration;

/**
 * Per-call overrides of the configured routing. {@code null} members mean "as configured".
 *
 * @param maxLag     tighter bound on replica time lag for this call
 * @param noReplica  policy when no replica qualifies for this call
 */
public record RoutingOptions(Duration maxLag, NoReplicaPolicy noReplica) {

    /** No overrides. */
    public static final RoutingOptions DEFAULT = new RoutingOptions(null, null);

    public RoutingOptions {
        if (maxLag != null && maxLag.isNegative()) {
            throw new IllegalArgumentException("maxLag must not be negative: " + maxLag);
        }
    }
}
