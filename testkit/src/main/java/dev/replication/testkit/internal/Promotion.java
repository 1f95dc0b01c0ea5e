package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Promotes a standby on the server side: resumes paused replay, {@code pg_promote(true, 60)}, and
 * waits until it is out of recovery. The cluster's bookkeeping of roles is the caller's.
 */
public final class Promotion {
    private static final Duration OUT_OF_RECOVERY_TIMEOUT = Duration.ofSeconds(60);

    private Promotion() {
    }

    /**
     * @param server the standby
     * @param sql SQL access to it
     * @throws PgClusterException when it is not running, not in recovery, or not promoted in time
     */
    public static void promote(ServerProcess server, NodeSql sql) {
        String name = server.name();
        server.requireRunning("promote");
        try (Connection c = sql.internal(5, 90); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_is_wal_replay_paused()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new PgClusterException(name + ": cannot promote, not in recovery (role " + server.role() + ")");
                }
                if (rs.getBoolean(2)) {
                    st.execute("SELECT pg_wal_replay_resume()");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_promote(true, 60)")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new PgClusterException(name + ": pg_promote returned false (not promoted within 60 s)");
                }
            }
        } catch (SQLException e) {
            throw new PgClusterException(name + ": promote failed: " + e.getMessage(), e);
        }
        Poll.until(OUT_OF_RECOVERY_TIMEOUT, () -> {
            try (Connection c = sql.internal(2, 5); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                return rs.getBoolean(1) ? null : Boolean.TRUE;
            }
        }, () -> name + ": still in recovery after pg_promote");
    }
}
