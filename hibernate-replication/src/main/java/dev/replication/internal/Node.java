package dev.replication.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.replication.NodeConfig;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.ReplicationConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One database node: its HikariCP pool, its health as last seen by the monitor, and the
 * connections it has handed out (so that they can be aborted when the node hangs).
 * <p>
 * Health fields are written by the monitor thread (and by {@link #markDown} from request threads,
 * under the node's lock) and published as an immutable {@link NodeStatus}.
 */
public final class Node {

    private final NodeConfig config;
    private final HikariDataSource pool;
    private final Properties directProperties;
    private final Set<Connection> inUse = ConcurrentHashMap.newKeySet();
    /** {@code System.nanoTime()} of the last direct replay-position probe (see ReplicationRuntime.replayLsn). */
    final java.util.concurrent.atomic.AtomicLong lastProbe = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - 1_000_000_000L);

    /** Routing role: what this node is for now. */
    volatile NodeRole routingRole;
    volatile boolean fenced;
    volatile Health health;

    /** Monitor-thread state. */
    Connection monitorConnection;
    int goodStreak;
    int badStreak;
    boolean probation;
    String lastExclusion;

    Node(NodeConfig config, NodeRole role, ReplicationConfig rc) {
        this.config = config;
        this.routingRole = role;
        this.health = Health.unknown();
        if (config.dataSource() != null) {
            this.directProperties = null;
            this.pool = null;
            return;
        }
        this.directProperties = driverProperties(config, rc);
        HikariConfig hc = new HikariConfig(rc.hikari());
        hc.setPoolName("replication-" + config.name());
        hc.setJdbcUrl(config.url());
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password());
        }
        hc.setMaximumPoolSize(rc.poolMaxSize());
        hc.setMinimumIdle(rc.poolMinIdle());
        hc.setConnectionTimeout(rc.poolConnectionTimeout().toMillis());
        hc.setValidationTimeout(Math.max(250, Math.min(rc.poolConnectionTimeout().toMillis(), 1000)));
        hc.setIdleTimeout(rc.poolIdleTimeout().toMillis());
        hc.setMaxLifetime(rc.poolMaxLifetime().toMillis());
        hc.setAutoCommit(false);
        // A node that is down at startup must not stop the application: the monitor reports it.
        hc.setInitializationFailTimeout(-1);
        long seconds = Math.max(1, rc.connectTimeout().toSeconds());
        hc.addDataSourceProperty("connectTimeout", seconds);
        hc.addDataSourceProperty("loginTimeout", seconds);
        hc.addDataSourceProperty("tcpKeepAlive", true);
        hc.addDataSourceProperty("ApplicationName", "hibernate-replication");
        this.pool = new HikariDataSource(hc);
        this.health = Health.unknown();
    }

    private static Properties driverProperties(NodeConfig config, ReplicationConfig rc) {
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        String seconds = String.valueOf(Math.max(1, rc.connectTimeout().toSeconds()));
        p.setProperty("connectTimeout", seconds);
        p.setProperty("loginTimeout", seconds);
        p.setProperty("socketTimeout", String.valueOf(Math.max(1, rc.monitorTimeout().toSeconds() + 1)));
        p.setProperty("ApplicationName", "hibernate-replication-monitor");
        return p;
    }

    public String name() {
        return config.name();
    }

    public NodeConfig config() {
        return config;
    }

    public NodeRole routingRole() {
        return routingRole;
    }

    public boolean fenced() {
        return fenced;
    }

    public Health health() {
        return health;
    }

    HikariDataSource pool() {
        return pool;
    }

    /** A pooled connection, tracked until {@link #release}. */
    Connection borrow() throws SQLException {
        Connection c = pool != null ? pool.getConnection() : fromDataSource();
        inUse.add(c);
        return c;
    }

    void release(Connection c) throws SQLException {
        inUse.remove(c);
        c.close();
    }

    /** A fresh unpooled connection with short timeouts (monitor, promotion). */
    Connection openDirect() throws SQLException {
        if (pool == null) {
            return config.dataSource().getConnection();
        }
        return DriverManager.getConnection(config.url(), directProperties);
    }

    /** Aborts every connection handed out: requests blocked on a hung node fail now instead of waiting. */
    void abortInUse(Executor executor) {
        if (inUse.isEmpty()) {
            return;
        }
        for (Connection c : inUse) {
            try {
                c.abort(executor);
            } catch (SQLException | RuntimeException ignored) {
                // the connection is going away either way
            }
        }
        if (pool != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    private Connection fromDataSource() throws SQLException {
        Connection c = config.dataSource().getConnection();
        if (c.getAutoCommit()) {
            c.setAutoCommit(false);
        }
        return c;
    }

    int active() {
        if (pool == null) {
            return inUse.size();
        }
        HikariPoolMXBean mx = pool.getHikariPoolMXBean();
        return mx == null ? 0 : mx.getActiveConnections();
    }

    NodeStatus status() {
        HikariPoolMXBean mx = pool == null ? null : pool.getHikariPoolMXBean();
        Health h = health;
        return new NodeStatus(name(), fenced ? NodeRole.UNKNOWN : routingRole, h.observedRole, h.up(), h.usable(),
                h.excludedReason, h.lsn, h.lagBytes, h.lag, h.timeline, h.lastCheck,
                mx == null ? 0 : mx.getActiveConnections(), mx == null ? 0 : mx.getIdleConnections(),
                mx == null ? 0 : mx.getThreadsAwaitingConnection());
    }

    void close() {
        if (pool != null) {
            pool.close();
        }
        if (monitorConnection != null) {
            try {
                monitorConnection.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
    }

    @Override
    public String toString() {
        return status().describe();
    }

    /**
     * Immutable health snapshot read on the hot path.
     *
     * @param up             last check succeeded
     * @param usable         may serve reads
     * @param observedRole   from pg_is_in_recovery()
     * @param lsn            replayed (replica) or current (primary) LSN, -1 unknown
     * @param lagBytes       -1 unknown
     * @param lag            null unknown
     * @param timeline       -1 unknown
     * @param upstreamPort   port of the WAL sender a replica streams from, -1 unknown
     * @param excludedReason null when usable
     * @param lastCheck      null before the first check
     */
    public record Health(boolean up, boolean usable, NodeRole observedRole, long lsn, long lagBytes, Duration lag,
                         long timeline, int upstreamPort, String excludedReason, Instant lastCheck) {
        static Health unknown() {
            return new Health(false, false, NodeRole.UNKNOWN, -1, -1, null, -1, -1, "not checked yet", null);
        }

        Health withLsn(long newLsn) {
            return new Health(up, usable, observedRole, newLsn, lagBytes, lag, timeline, upstreamPort, excludedReason,
                    lastCheck);
        }

        Health down(String reason, Instant now) {
            return new Health(false, false, NodeRole.UNKNOWN, lsn, -1, null, timeline, upstreamPort, reason, now);
        }
    }
}
