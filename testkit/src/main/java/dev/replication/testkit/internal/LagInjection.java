package dev.replication.testkit.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * Replication lag on demand, through SQL on a standby: pausing and resuming WAL replay, and
 * {@code recovery_min_apply_delay}. (Process faults, SIGKILL and SIGSTOP, are in
 * {@link ServerProcess}.)
 */
public final class LagInjection {
    private LagInjection() {
    }

    /**
     * {@code pg_wal_replay_pause()}: received WAL is not applied until resumed.
     *
     * @param sql the standby
     */
    public static void pauseReplay(NodeSql sql) {
        sql.execute("SELECT pg_wal_replay_pause()", "pauseReplay");
    }

    /**
     * {@code pg_wal_replay_resume()}.
     *
     * @param sql the standby
     */
    public static void resumeReplay(NodeSql sql) {
        sql.execute("SELECT pg_wal_replay_resume()", "resumeReplay");
    }

    /**
     * Sets {@code recovery_min_apply_delay} (ALTER SYSTEM and reload) and waits until the server
     * reports it.
     *
     * @param sql the standby
     * @param delay the delay; zero clears it
     * @throws IllegalArgumentException for a negative delay
     */
    public static void setApplyDelay(NodeSql sql, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException(sql.name() + ": apply delay must not be negative: " + delay);
        }
        long ms = delay.toMillis();
        sql.execute(ms == 0 ? "ALTER SYSTEM RESET recovery_min_apply_delay"
                : "ALTER SYSTEM SET recovery_min_apply_delay = '" + ms + "ms'", "setApplyDelay");
        sql.execute("SELECT pg_reload_conf()", "setApplyDelay");
        String[] seen = {"?"};
        Poll.until(Duration.ofSeconds(10), () -> {
            try (Connection c = sql.internal(2, 5); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'")) {
                rs.next();
                seen[0] = rs.getString(1);
                return Long.parseLong(seen[0]) == ms ? Boolean.TRUE : null;
            }
        }, () -> sql.name() + ": recovery_min_apply_delay not applied (want " + ms + " ms, server says " + seen[0] + ")");
    }
}
