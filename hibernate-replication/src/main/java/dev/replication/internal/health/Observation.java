package dev.replication.internal.health;

import dev.replication.NodeRole;

/**
 * What one check of one node saw.
 *
 * @param ok           the check answered
 * @param role         from {@code pg_is_in_recovery()}
 * @param lsn          replayed (standby) or current (primary) LSN, -1 unknown
 * @param timeline     -1 unknown
 * @param upstreamPort port of the WAL sender a standby streams from, -1 unknown
 * @param error        why the check failed, null when ok
 */
public record Observation(boolean ok, NodeRole role, long lsn, long timeline, int upstreamPort, String error) {
    static Observation failed(String error) {
        return new Observation(false, NodeRole.UNKNOWN, -1, -1, -1, error);
    }
}
