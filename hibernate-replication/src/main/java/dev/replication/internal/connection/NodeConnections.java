package dev.replication.internal.connection;

import dev.replication.NodeConfig;
import dev.replication.ReplicationConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The connections of one node: pooled ones lent to requests from its {@link ConnectionSource} and
 * tracked until returned (so that they can be aborted when the node hangs), and unpooled direct
 * ones with short timeouts for the monitor and promotion. Thread-safe.
 */
public final class NodeConnections implements AutoCloseable {

    private final NodeConfig config;
    private final ConnectionSource source;
    private final Properties directProperties;
    private final Set<Connection> inUse = ConcurrentHashMap.newKeySet();

    public NodeConnections(NodeConfig config, ConnectionSource source, ReplicationConfig rc) {
        this.config = config;
        this.source = source;
        this.directProperties = driverProperties(config, rc);
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

    /**
     * A pooled connection, tracked until {@link #release}.
     *
     * @param database another database of the node's server ({@code replication.tenancy=database}), or
     *                 {@code null} for the node's own
     */
    public Connection borrow(String database) throws SQLException {
        Connection c = database == null ? source.getConnection() : source.getConnection(database);
        inUse.add(c);
        return c;
    }

    public void release(Connection c) throws SQLException {
        inUse.remove(c);
        c.close();
    }

    /**
     * A fresh unpooled connection with short timeouts (monitor, promotion); for a node served by a
     * data source the application owns, one of its connections.
     */
    public Connection openDirect() throws SQLException {
        if (source instanceof DataSourceConnectionSource ds) {
            // the owner's data source (called on the monitor's threads, outside any JTA transaction)
            return ds.openDirect();
        }
        if (config.dataSource() != null) {
            return config.dataSource().getConnection();
        }
        return DriverManager.getConnection(config.url(), directProperties);
    }

    /** Aborts every connection handed out: requests blocked on a hung node fail now instead of waiting. */
    public void abortInUse(Executor executor) {
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
        source.evictIdle();
    }

    public ConnectionSource.PoolCounts counts() {
        return source.counts();
    }

    @Override
    public void close() {
        source.close();
    }
}
