package dev.replication;

import java.time.Duration;

/**
 * The settings of one node's connection pool (the {@code replication.pool.*} keys, or a replica's own
 * {@code replication.replica.<name>.pool.*}). Validated on reading; thread-safe (immutable).
 *
 * @param maxSize           maximum connections
 * @param minIdle           minimum idle connections, at most {@code maxSize}
 * @param connectionTimeout longest wait for a pooled connection (at least 250ms)
 * @param idleTimeout       0 (idle connections stay) or at least 10s
 * @param maxLifetime       0 (no limit) or at least 30s
 */
public record PoolSettings(int maxSize, int minIdle, Duration connectionTimeout, Duration idleTimeout,
                           Duration maxLifetime) {
}
