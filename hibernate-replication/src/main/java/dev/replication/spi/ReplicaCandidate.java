package dev.replication.spi;

import java.time.Duration;

/**
 * A replica that qualifies for a read (up, within the allowed lag, has replayed the scope's token
 * as far as known), as seen by a {@link ReplicaSelector}.
 *
 * @param name              node name
 * @param weight            configured weight (&gt;= 1)
 * @param activeConnections connections of this replica's pool currently in use
 * @param lagBytes          bytes of WAL behind the primary at the last check
 * @param lag               time behind the primary at the last check
 */
public record ReplicaCandidate(String name, int weight, int activeConnections, long lagBytes, Duration lag) {
}
