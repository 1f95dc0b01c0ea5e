package dev.replication.internal.health;

import dev.replication.NodeRole;

import java.util.Set;

/**
 * What one check of one node saw.
 *
 * @param ok           the check answered
 * @param role         from {@code pg_is_in_recovery()}
 * @param lsn          replayed (standby) or current (primary) LSN, -1 unknown
 * @param timeline     -1 unknown
 * @param upstreamPort port of the WAL sender a standby streams from, -1 unknown
 * @param error        why the check failed, null when ok
 * @param walName      a streaming standby's {@code application_name} as its primary sees it in
 *                     {@code pg_stat_replication}, null unknown (not streaming, or not visible to the role)
 * @param syncStandbys a primary's standbys in {@code sync_state} sync or quorum, by {@code application_name}
 *                     (empty: none, or not visible to the role)
 * @param hardFailure  the check failed because the connection was refused or reset (not a timeout)
 */
public record Observation(boolean ok, NodeRole role, long lsn, long timeline, int upstreamPort, String error,
                          String walName, Set<String> syncStandbys, boolean hardFailure) {

    public static Observation failed(String error, boolean hardFailure) {
        return new Observation(false, NodeRole.UNKNOWN, -1, -1, -1, error, null, Set.of(), hardFailure);
    }
}
