package dev.replication.internal.connection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.replication.NodeConfig;
import dev.replication.PoolSettings;
import dev.replication.ReplicationConfig;

import java.sql.Connection;
import java.sql.SQLException;

/** A HikariCP pool the library builds for one node from the replication configuration. Thread-safe. */
public final class HikariConnectionSource implements ConnectionSource {

    private final HikariDataSource pool;

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
        this.pool = new HikariDataSource(hc);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public PoolCounts counts() {
        HikariPoolMXBean mx = pool.getHikariPoolMXBean();
        return mx == null ? PoolCounts.NONE
                : new PoolCounts(mx.getActiveConnections(), mx.getIdleConnections(), mx.getThreadsAwaitingConnection());
    }

    @Override
    public void evictIdle() {
        HikariPoolMXBean mx = pool.getHikariPoolMXBean();
        if (mx != null) {
            mx.softEvictConnections();
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
