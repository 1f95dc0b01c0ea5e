package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Waiting until standbys have replayed a primary's WAL position, polling each over one kept
 * connection; a timeout message lists every standby's replay and receive positions seen so far.
 */
public final class ReplayWait {
    private ReplayWait() {
    }

    /**
     * @param primary the primary
     * @return its {@code pg_current_wal_lsn()}
     * @throws PgClusterException if it cannot be read
     */
    public static Lsn currentLsn(NodeSql primary) {
        try (Connection c = primary.internal(5, 30); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new PgClusterException(primary.name() + " (primary): cannot read pg_current_wal_lsn(): " + e.getMessage(), e);
        }
    }

    /**
     * Waits until {@code replica} has replayed {@code target}.
     *
     * @param replica the standby
     * @param primaryName the primary's name, for the message
     * @param target the WAL position
     * @param left the time left
     * @param states per node name, what was seen; this wait adds the replica's state (shared by
     *     the waits of one call so that a timeout reports them all)
     * @param skipPaused whether a standby with paused replay counts as done
     * @param total the caller's whole timeout, for the message
     * @throws PgClusterException on timeout
     */
    public static void await(NodeSql replica, String primaryName, Lsn target, Duration left, Map<String, String> states,
            boolean skipPaused, Duration total) {
        String name = replica.name();
        Connection[] conn = {null};
        try {
            Poll.until(left, () -> {
                if (conn[0] == null || conn[0].isClosed()) {
                    conn[0] = replica.internal(2, 5);
                }
                try (Statement st = conn[0].createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_receive_lsn()::text, "
                                + "pg_is_wal_replay_paused(), pg_is_in_recovery()")) {
                    rs.next();
                    Lsn replay = Lsn.parse(rs.getString(1));
                    Lsn receive = Lsn.parse(rs.getString(2));
                    boolean paused = rs.getBoolean(3);
                    states.put(name, "replayed " + replay + ", received " + receive + (paused ? ", replay paused" : "")
                            + (rs.getBoolean(4) ? "" : ", NOT in recovery"));
                    if (replay != null && replay.atLeast(target)) {
                        return Boolean.TRUE;
                    }
                    return skipPaused && paused ? Boolean.FALSE : null;
                } catch (SQLException e) {
                    states.put(name, "error: " + e.getMessage());
                    conn[0].close();
                    throw e;
                }
            }, () -> "awaitReplicated: " + name + " has not replayed primary " + primaryName + "'s LSN " + target
                    + " within " + total.toMillis() + " ms; " + states.entrySet().stream()
                            .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")));
        } finally {
            if (conn[0] != null) {
                try {
                    conn[0].close();
                } catch (SQLException ignored) {
                    // closing
                }
            }
        }
    }
}
