package dev.replication.internal.connection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a node's pooled connections come from. Routing, the monitor, tokens and failover do not
 * care which implementation serves a node; today that is {@link HikariConnectionSource} (pools the
 * library builds itself). A container's JTA {@code DataSource} or a Quarkus Agroal data source are
 * further implementations of this interface.
 * <p>
 * Implementations are thread-safe. A source must not fail to be created because its node is down:
 * the monitor reports that.
 */
public interface ConnectionSource extends AutoCloseable {

    /** A connection with auto-commit off; the caller closes it to give it back. */
    Connection getConnection() throws SQLException;

    /**
     * A connection to another database of the node's server ({@code replication.tenancy=database}),
     * with auto-commit off. Only sources the library builds from a URL can; the configuration check
     * refuses database tenancy for the others.
     */
    default Connection getConnection(String database) throws SQLException {
        throw new SQLException("This node's connections come from a data source bound to one database; database '"
                + database + "' cannot be reached through it", "08001");
    }

    /** Counts for status and messages; zeros when the source does not know. */
    PoolCounts counts();

    /**
     * Called after the connections handed out were aborted because the node hangs or failed:
     * replace the pooled ones at the next opportunity. Does nothing where the source cannot.
     */
    void evictIdle();

    @Override
    void close();

    /** Connections of one source: in use, idle, and threads waiting for one. */
    record PoolCounts(int active, int idle, int waiting) {
        public static final PoolCounts NONE = new PoolCounts(0, 0, 0);
    }
}
