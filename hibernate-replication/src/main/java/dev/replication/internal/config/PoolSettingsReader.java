package dev.replication.internal.config;

import dev.replication.PoolSettings;
import dev.replication.ReplicationProperty;

import java.time.Duration;

import static dev.replication.ReplicationProperty.POOL_CONNECTION_TIMEOUT;
import static dev.replication.ReplicationProperty.POOL_IDLE_TIMEOUT;
import static dev.replication.ReplicationProperty.POOL_MAX_LIFETIME;
import static dev.replication.ReplicationProperty.POOL_MAX_SIZE;
import static dev.replication.ReplicationProperty.POOL_MIN_IDLE;
import static dev.replication.ReplicationProperty.REPLICA_POOL_CONNECTION_TIMEOUT;
import static dev.replication.ReplicationProperty.REPLICA_POOL_IDLE_TIMEOUT;
import static dev.replication.ReplicationProperty.REPLICA_POOL_MAX_LIFETIME;
import static dev.replication.ReplicationProperty.REPLICA_POOL_MAX_SIZE;
import static dev.replication.ReplicationProperty.REPLICA_POOL_MIN_IDLE;

/**
 * Reads pool settings: the global {@code replication.pool.*} ones, and a replica's own
 * {@code replication.replica.<name>.pool.*}, each falling back to the global value. The limits are
 * HikariCP's (it silently replaces a shorter timeout by its default, so a shorter one fails here).
 */
final class PoolSettingsReader {

    private PoolSettingsReader() {
    }

    /** The {@code replication.pool.*} settings. */
    static PoolSettings global(SettingsReader p) {
        int max = p.intValue(POOL_MAX_SIZE);
        int minIdle = p.intValue(POOL_MIN_IDLE);
        if (minIdle > max) {
            throw p.bad(POOL_MIN_IDLE.key(), String.valueOf(minIdle), "a value <= " + POOL_MAX_SIZE.key() + " (" + max + ")");
        }
        return new PoolSettings(max, minIdle,
                connectionTimeout(p, POOL_CONNECTION_TIMEOUT.key(), POOL_CONNECTION_TIMEOUT),
                atLeastOrZero(p, POOL_IDLE_TIMEOUT.key(), POOL_IDLE_TIMEOUT, Duration.ofSeconds(10)),
                atLeastOrZero(p, POOL_MAX_LIFETIME.key(), POOL_MAX_LIFETIME, Duration.ofSeconds(30)));
    }

    /** Replica {@code name}'s pool: its own keys where given, else {@code global}'s values. */
    static PoolSettings replica(SettingsReader p, String name, PoolSettings global) {
        String maxKey = REPLICA_POOL_MAX_SIZE.key(name);
        String minKey = REPLICA_POOL_MIN_IDLE.key(name);
        int max = p.string(maxKey) == null ? global.maxSize() : p.intValue(maxKey, REPLICA_POOL_MAX_SIZE, 1);
        int minIdle = p.string(minKey) == null ? Math.min(global.minIdle(), max) : p.intValue(minKey, REPLICA_POOL_MIN_IDLE, 0);
        if (minIdle > max) {
            throw p.bad(minKey, String.valueOf(minIdle), "a value <= the pool's maximum size (" + max + ")");
        }
        String ctKey = REPLICA_POOL_CONNECTION_TIMEOUT.key(name);
        String itKey = REPLICA_POOL_IDLE_TIMEOUT.key(name);
        String mlKey = REPLICA_POOL_MAX_LIFETIME.key(name);
        return new PoolSettings(max, minIdle,
                p.string(ctKey) == null ? global.connectionTimeout()
                        : connectionTimeout(p, ctKey, REPLICA_POOL_CONNECTION_TIMEOUT),
                p.string(itKey) == null ? global.idleTimeout()
                        : atLeastOrZero(p, itKey, REPLICA_POOL_IDLE_TIMEOUT, Duration.ofSeconds(10)),
                p.string(mlKey) == null ? global.maxLifetime()
                        : atLeastOrZero(p, mlKey, REPLICA_POOL_MAX_LIFETIME, Duration.ofSeconds(30)));
    }

    /** Whether any of replica {@code name}'s own pool keys is given. */
    static String anyReplicaKey(SettingsReader p, String name) {
        for (ReplicationProperty k : new ReplicationProperty[] {REPLICA_POOL_MAX_SIZE, REPLICA_POOL_MIN_IDLE,
                REPLICA_POOL_CONNECTION_TIMEOUT, REPLICA_POOL_IDLE_TIMEOUT, REPLICA_POOL_MAX_LIFETIME}) {
            if (p.present(k.key(name))) {
                return k.key(name);
            }
        }
        return null;
    }

    private static Duration connectionTimeout(SettingsReader p, String key, ReplicationProperty property) {
        Duration d = p.duration(key, property);
        if (d.toMillis() < 250) {
            throw p.bad(key, p.raw(key), "at least 250ms (HikariCP's minimum)");
        }
        return d;
    }

    private static Duration atLeastOrZero(SettingsReader p, String key, ReplicationProperty property, Duration min) {
        Duration d = p.duration(key, property);
        if (!d.isZero() && d.compareTo(min) < 0) {
            throw p.bad(key, p.raw(key), "0 (no limit) or at least " + min.toSeconds() + "s (HikariCP's minimum)");
        }
        return d;
    }
}
