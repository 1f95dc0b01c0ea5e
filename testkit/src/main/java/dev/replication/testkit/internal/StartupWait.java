package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Waits until a launched server accepts connections (and, for a standby, until its WAL receiver
 * streams), with a deadline; a server that exits meanwhile fails at once with its log. Holds the
 * server's monitor while waiting, like the other process changes.
 */
public final class StartupWait {
    private StartupWait() {
    }

    /**
     * Launches a stopped server and waits until it accepts connections. No-op if it is running.
     *
     * @param server the server
     * @param sql SQL access to it
     */
    public static void start(ServerProcess server, NodeSql sql) {
        synchronized (server) {
            if (server.isRunning()) {
                return;
            }
            server.launch();
            await(server, sql, false, false);
        }
    }

    /**
     * Waits for a launched server. If it exited because its port was taken meanwhile and
     * {@code allowNewPort}, relaunches it on a new port (at most three times).
     *
     * @param server the launched server
     * @param sql SQL access to it
     * @param streaming whether to wait until its WAL receiver streams
     * @param allowNewPort whether a lost port may be replaced
     * @throws PgClusterException when the server exits or the start timeout passes
     */
    public static void await(ServerProcess server, NodeSql sql, boolean streaming, boolean allowNewPort) {
        synchronized (server) {
            for (int attempt = 0;; attempt++) {
                try {
                    waitReady(server, sql, streaming);
                    return;
                } catch (PgClusterException e) {
                    Process p = server.process();
                    if (allowNewPort && attempt < 3 && p != null && !p.isAlive()
                            && server.log().sinceLaunch().contains("Address already in use")) {
                        server.moveToFreePort();
                        server.launch();
                        continue;
                    }
                    throw e;
                }
            }
        }
    }

    private static void waitReady(ServerProcess server, NodeSql sql, boolean streaming) {
        Process p = server.process();
        String name = server.name();
        String[] state = {"not accepting connections"};
        Poll.until(server.startTimeout(), () -> {
            if (!p.isAlive()) {
                throw new PgClusterException(name + ": server exited with code " + p.exitValue()
                        + " while starting (port " + server.port() + "). Log:\n" + server.log().sinceLaunch());
            }
            try (Connection c = sql.internal(1, 5); Statement st = c.createStatement()) {
                if (!streaming) {
                    return Boolean.TRUE;
                }
                try (ResultSet rs = st.executeQuery("SELECT status FROM pg_stat_wal_receiver")) {
                    String status = rs.next() ? rs.getString(1) : "no wal receiver";
                    state[0] = "wal receiver: " + status;
                    return "streaming".equals(status) ? Boolean.TRUE : null;
                }
            } catch (SQLException e) {
                state[0] = e.getMessage();
                return null;
            }
        }, () -> name + ": not ready on port " + server.port() + " (" + state[0] + "). Log tail:\n" + server.log().tail());
    }
}
