package dev.replication.hibernate.internal;

import dev.replication.ReplicationConfig;
import dev.replication.ReplicationConfig.Tenancy;
import dev.replication.internal.config.TenancySettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The application's customer applied to a node's connection ({@code replication.tenancy}): the
 * customer's schema as the connection's {@code search_path} (reset before the connection goes back to
 * its pool), or the customer's database on the node's server. With a discriminator nothing is
 * applied here: Hibernate filters and stamps rows by its tenant, the customer. Thread-safe.
 */
public final class CustomerTenancy {
    private final Tenancy tenancy;
    private final String schemaPattern;
    private final String databasePattern;

    public CustomerTenancy(ReplicationConfig config) {
        this.tenancy = config.tenancy();
        this.schemaPattern = config.tenancySchema();
        this.databasePattern = config.tenancyDatabase();
    }

    /** True when Hibernate's tenant is the application's customer, not a node. */
    public boolean composed() {
        return tenancy.composed();
    }

    /** The database of {@code tenant} on every node's server, or {@code null} when tenants share the node's own. */
    public String database(String tenant) {
        return tenancy == Tenancy.DATABASE ? TenancySettings.apply(databasePattern, tenant, "database") : null;
    }

    /**
     * Applies {@code tenant} to a connection just taken from its node. Outside a JTA transaction the
     * {@code search_path} is set in a statement of its own (auto-commit), so a rollback later in the
     * session cannot undo it; inside one it is set in that transaction, which the connection does
     * not outlive.
     */
    public Connection enter(Connection c, String tenant, boolean insideJta) throws SQLException {
        if (tenancy == Tenancy.SCHEMA) {
            String schema = TenancySettings.apply(schemaPattern, tenant, "schema");
            try {
                run(c, "SET search_path TO \"" + schema + "\"", insideJta);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /**
     * Undoes {@link #enter} before the connection goes back to its node's pool, and makes sure a
     * connection taken for no tenant (schema tooling, metadata) has the server's default
     * {@code search_path}.
     */
    public void reset(Connection c, boolean insideJta) throws SQLException {
        if (tenancy == Tenancy.SCHEMA && !c.isClosed()) {
            run(c, "RESET search_path", insideJta);
        }
    }

    private static void run(Connection c, String sql, boolean insideJta) throws SQLException {
        boolean toggle = !insideJta && !c.getAutoCommit();
        if (toggle) {
            c.setAutoCommit(true);
        }
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } finally {
            if (toggle) {
                c.setAutoCommit(false);
            }
        }
    }
}
