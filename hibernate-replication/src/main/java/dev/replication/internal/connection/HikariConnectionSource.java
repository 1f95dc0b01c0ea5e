package dev.replication.internal.connection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.replication.NodeConfig;
import dev.replication.PoolSettings;
import dev.replication.ReplicationConfig;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A HikariCP pool the library builds for one node from the replication configuration, and with
 * {@code replication.tenancy=database} one more pool per tenant database of the node's server, made
 * at first use with the same settings (no minimum of idle connections). Thread-safe.
 */
public final class HikariConnectionSource implements ConnectionSource {

    private final HikariDataSource pool;
    private final HikariConfig template;
    private final Map<String, HikariDataSource> databases = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public HikariConnectionSource(NodeConfig node, ReplicationConfig rc) {
        HikariConfig hc = new HikariConfig(rc.hikari());
        hc.setPoolName("replication-" + node.name());
        hc.setJdbcUrl(node.url());
        if (node.user() != null) {
            hc.setUsername(node.user());
        }
        if (node.password() != null) {
            hc.setPassword(node.password());
        }
        PoolSettings ps = node.pool() != null ? node.pool() : rc.pool();
        hc.setMaximumPoolSize(ps.maxSize());
        hc.setMinimumIdle(ps.minIdle());
        hc.setConnectionTimeout(ps.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.max(250, Math.min(ps.connectionTimeout().toMillis(), 1000)));
        hc.setIdleTimeout(ps.idleTimeout().toMillis());
        hc.setMaxLifetime(ps.maxLifetime().toMillis());
        hc.setAutoCommit(false);
        // A node that is down at startup must not stop the application: the monitor reports it.
        hc.setInitializationFailTimeout(-1);
        long seconds = Math.max(1, rc.connectTimeout().toSeconds());
        hc.addDataSourceProperty("connectTimeout", seconds);
        hc.addDataSourceProperty("loginTimeout", seconds);
        hc.addDataSourceProperty("tcpKeepAlive", true);
        hc.addDataSourceProperty("ApplicationName", "hibernate-replication");
        this.template = new HikariConfig();
        hc.copyStateTo(template);
        this.pool = new HikariDataSource(hc);
    }

    @Override
    public Connection getConnection(String database) throws SQLException {
        HikariDataSource ds = databases.get(database);
        if (ds == null) {
            synchronized (databases) {
                if (closed) {
                    throw new SQLException(template.getPoolName() + " is closed", "08003");
                }
                ds = databases.computeIfAbsent(database, this::databasePool);
            }
        }
        return ds.getConnection();
    }

    private HikariDataSource databasePool(String database) {
        HikariConfig hc = new HikariConfig();
        template.copyStateTo(hc);
        hc.setPoolName(template.getPoolName() + "-" + database);
        hc.setJdbcUrl(JdbcUrls.withDatabase(template.getJdbcUrl(), database));
        hc.setMinimumIdle(0);
        return new HikariDataSource(hc);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public PoolCounts counts() {
        PoolCounts sum = counts(pool);
        for (HikariDataSource ds : databases.values()) {
            PoolCounts c = counts(ds);
            sum = new PoolCounts(sum.active() + c.active(), sum.idle() + c.idle(), sum.waiting() + c.waiting());
        }
        return sum;
    }

    private static PoolCounts counts(HikariDataSource ds) {
        HikariPoolMXBean mx = ds.getHikariPoolMXBean();
        return mx == null ? PoolCounts.NONE
                : new PoolCounts(mx.getActiveConnections(), mx.getIdleConnections(), mx.getThreadsAwaitingConnection());
    }

    @Override
    public void evictIdle() {
        evictIdle(pool);
        databases.values().forEach(HikariConnectionSource::evictIdle);
    }

    private static void evictIdle(HikariDataSource ds) {
        HikariPoolMXBean mx = ds.getHikariPoolMXBean();
        if (mx != null) {
            mx.softEvictConnections();
        }
    }

    @Override
    public void close() {
        synchronized (databases) {
            closed = true;
        }
        pool.close();
        databases.values().forEach(HikariDataSource::close);
    }
}
