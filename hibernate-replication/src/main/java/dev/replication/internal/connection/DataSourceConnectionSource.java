package dev.replication.internal.connection;

import dev.replication.NodeConfig;
import dev.replication.ReplicationConfig;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node served by a {@link DataSource} the application or container owns: in a Jakarta EE
 * container, one that enlists its connections in the JTA transaction of the calling thread. The
 * library does not configure or close it. It counts the connections it has handed out and not yet
 * got back (what {@code least-loaded} and the status report as active); idle and waiting counts
 * are the pool's own business and reported as 0.
 * <p>
 * Outside a JTA transaction a connection comes with auto-commit as the pool sets it; it is turned
 * off here, as the library's own pools do (enlisted connections already have it off). Thread-safe.
 */
public final class DataSourceConnectionSource implements ConnectionSource {
    private final DataSource dataSource;
    private final String name;
    private final AtomicInteger active = new AtomicInteger();

    /**
     * @param name how the data source was given (a JNDI name), for {@link #toString()}
     */
    public DataSourceConnectionSource(DataSource dataSource, String name) {
        this.dataSource = dataSource;
        this.name = name;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        active.incrementAndGet();
        return new Counted(c);
    }

    @Override
    public PoolCounts counts() {
        return new PoolCounts(Math.max(0, active.get()), 0, 0);
    }

    @Override
    public void evictIdle() {
        // the owner's pool validates its own connections
    }

    @Override
    public void close() {
        // owned by the application or container
    }

    /** The source of {@code node}: its data source when it has one, else a HikariCP pool from its URL. */
    public static ConnectionSource forNode(NodeConfig node, ReplicationConfig rc) {
        return node.dataSource() != null ? new DataSourceConnectionSource(node.dataSource(), node.dataSourceName())
                : new HikariConnectionSource(node, rc);
    }

    @Override
    public String toString() {
        return "datasource " + name;
    }

    /** Gives its count back once, however often it is closed. */
    private final class Counted extends DelegatingConnection {
        private boolean closed;

        Counted(Connection delegate) {
            super(delegate);
        }

        @Override
        public void commit() throws SQLException {
            delegate.commit();
        }

        @Override
        public void close() throws SQLException {
            if (!closed) {
                closed = true;
                active.decrementAndGet();
            }
            delegate.close();
        }

        @Override
        public boolean isClosed() throws SQLException {
            return closed || delegate.isClosed();
        }
    }
}
