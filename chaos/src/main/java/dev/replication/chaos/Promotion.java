package dev.replication.chaos;

/**
 * A promotion as the library reported it through its {@code RoutingListener}: the WAL window it
 * may have lost is everything after the promoted standby's replayed position up to the old
 * primary's last known position, both read from the library's status when it announced the
 * promotion ({@code promoting} event).
 *
 * @param at          {@link System#nanoTime()} of the {@code primaryChanged} event
 * @param oldPrimary  the fenced node
 * @param newPrimary  the promoted node
 * @param windowFrom  the promoted standby's replayed LSN (exclusive), -1 when unknown
 * @param windowTo    the old primary's last known LSN (inclusive), -1 when unknown
 */
record Promotion(long at, String oldPrimary, String newPrimary, long windowFrom, long windowTo) {

    /** Whether a write with commit token {@code lsn} lies in the window the library reported as possibly lost. */
    boolean possiblyLost(long lsn) {
        return windowFrom >= 0 && windowTo >= 0 && Long.compareUnsigned(lsn, windowFrom) > 0
                && Long.compareUnsigned(lsn, windowTo) <= 0;
    }
}
