package dev.replication.testkit.internal;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

/**
 * What every node of one cluster shares: binaries, OS account, superuser credentials, server
 * settings, start timeout and the cluster directory. Immutable; {@link #toString()} leaves the
 * password out.
 *
 * @param binaries the PostgreSQL binaries
 * @param account the OS account servers run as
 * @param user the superuser name
 * @param password the superuser password
 * @param maxConnections {@code max_connections} per node
 * @param settings extra settings for postgresql.conf
 * @param startTimeout how long a node may take to start
 * @param dir the cluster directory (one subdirectory per node)
 */
public record ClusterConfig(PgBinaries binaries, OsAccount account, String user, String password, int maxConnections,
        Map<String, String> settings, Duration startTimeout, Path dir) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Copies {@code settings}. */
    public ClusterConfig {
        settings = Map.copyOf(settings);
    }

    /**
     * Writes postgresql.conf and pg_hba.conf for a server.
     *
     * @param dataDir its data dir
     * @param port its port
     */
    public void writeServerFiles(Path dataDir, int port) {
        ServerConfig.writeServerFiles(dataDir, port, maxConnections, settings, binaries.major());
    }

    /**
     * @param upstreamPort the port of the server to stream from
     * @param applicationName the standby's name
     * @return the standby's {@code primary_conninfo}
     */
    public String standbyConninfo(int upstreamPort, String applicationName) {
        return ServerConfig.conninfo(upstreamPort, user, password, applicationName);
    }

    /** @return a random 24-character password */
    public static String randomPassword() {
        String chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder sb = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            sb.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ClusterConfig[" + binaries.version() + ", " + dir + ", user=" + user + ", maxConnections=" + maxConnections
                + ", settings=" + settings + "]";
    }
}
