package dev.replication;

import java.time.Duration;

/**
 * A standby this library promoted ({@code replication.failover=promote}, or {@code Replication.promote}),
 * with the WAL that may have been lost: what the old primary had written beyond the point the promoted
 * standby had replayed, as far as this process knew the old primary (its last check, or the highest
 * commit this process acknowledged, whichever is later).
 *
 * @param oldPrimary        the failed primary's name
 * @param newPrimary        the promoted standby's name
 * @param lastSeenPrimaryLsn the old primary's last known position: the later of its last good check and
 *                          the highest commit this process acknowledged ("unknown" if neither)
 * @param promotedFromLsn   where the promoted standby's recovery ended: the new timeline starts here
 * @param possiblyLostBytes bytes of WAL between the two (0 when the standby had everything this process
 *                          knew of; -1 unknown). Commits acknowledged by other processes after the last
 *                          check are not counted: with asynchronous replication the real loss can be larger
 * @param took              from the start of the promotion until the standby left recovery
 */
public record Promotion(String oldPrimary, String newPrimary, String lastSeenPrimaryLsn, String promotedFromLsn,
                        long possiblyLostBytes, Duration took) {
}
