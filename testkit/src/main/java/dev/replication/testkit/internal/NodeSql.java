package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * SQL access to one node as the superuser: JDBC URLs, connections, and one-statement commands
 * whose failures name the node. Stateless apart from its references; thread-safe.
 */
public final class NodeSql {
    /** The address every server listens on. */
    public static final String HOST = "127.0.0.1";

    private final ServerProcess server;
    private final ClusterConfig config;

    /**
     * @param server the node's server (for its name, port and running state)
     * @param config the cluster's credentials
     */
    public NodeSql(ServerProcess server, ClusterConfig config) {
        this.server = server;
        this.config = config;
    }

    /** @return the node name */
    public String name() {
        return server.name();
    }

    /**
     * @param database a database name
     * @return a JDBC URL for that database on the node's current port, without credentials
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + server.port() + "/" + database;
    }

    /**
     * @param database the database
     * @return a new superuser connection; the caller closes it
     * @throws SQLException if the server cannot be reached
     */
    public Connection connect(String database) throws SQLException {
        return open(jdbcUrl(database), credentials());
    }

    /**
     * A connection for the testkit's own work: database {@code postgres}, application name
     * {@code testkit}, bounded timeouts.
     *
     * @param connectTimeoutSec pgjdbc {@code connectTimeout}
     * @param socketTimeoutSec pgjdbc {@code socketTimeout}
     * @return a new connection; the caller closes it
     * @throws SQLException if the server cannot be reached
     */
    public Connection internal(int connectTimeoutSec, int socketTimeoutSec) throws SQLException {
        Properties p = credentials();
        p.setProperty("connectTimeout", Integer.toString(connectTimeoutSec));
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSec));
        p.setProperty("ApplicationName", "testkit");
        return open(jdbcUrl("postgres"), p);
    }

    /**
     * Runs one statement on a running, non-suspended server.
     *
     * @param sql the statement
     * @param what the operation, for error messages
     * @throws PgClusterException naming the node and the operation
     */
    public void execute(String sql, String what) {
        server.requireRunning(what);
        try (Connection c = internal(5, 60); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new PgClusterException(name() + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a query returning one boolean on a running, non-suspended server.
     *
     * @param sql the query
     * @param what the operation, for error messages
     * @return the first column of the first row
     * @throws PgClusterException naming the node and the operation
     */
    public boolean queryBoolean(String sql, String what) {
        server.requireRunning(what);
        try (Connection c = internal(5, 60); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw new PgClusterException(name() + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * {@code CREATE DATABASE} with the name quoted; does not wait for standbys.
     *
     * @param database the name
     * @throws PgClusterException naming the node and the database
     */
    public void createDatabase(String database) {
        try (Connection c = internal(5, 120); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            throw new PgClusterException(name() + ": CREATE DATABASE " + database + " failed: " + e.getMessage(), e);
        }
    }

    private Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", config.user());
        p.setProperty("password", config.password());
        return p;
    }

    private static Connection open(String url, Properties p) throws SQLException {
        Connection c = new Driver().connect(url, p);
        if (c == null) {
            throw new SQLException("pgjdbc did not accept " + url);
        }
        return c;
    }
}
