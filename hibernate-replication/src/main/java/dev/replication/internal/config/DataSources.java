package dev.replication.internal.config;

import dev.replication.ReplicationConfigurationException;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Resolves {@code replication.*.datasource}: a DataSource object as given, or a JNDI name looked
 * up once at startup. A name that does not resolve to a DataSource fails naming the key.
 */
final class DataSources {

    /** A resolved data source and how it was given. */
    record Resolved(DataSource dataSource, String name) {
    }

    private DataSources() {
    }

    /** The data source of {@code key}, or {@code null} when the key is not given. */
    static Resolved resolve(SettingsReader p, String key) {
        Object o = p.object(key);
        if (o instanceof DataSource ds) {
            return new Resolved(ds, "object " + ds.getClass().getName());
        }
        if (o != null) {
            throw p.bad(key, o.getClass().getName(), "a JNDI name or a javax.sql.DataSource object");
        }
        String name = p.string(key);
        if (name == null) {
            return null;
        }
        Object found;
        try {
            InitialContext ctx = new InitialContext();
            try {
                found = ctx.lookup(name);
            } finally {
                ctx.close();
            }
        } catch (NamingException | RuntimeException e) {
            throw new ReplicationConfigurationException("Invalid value '" + name + "' for '" + key + "': the JNDI"
                    + " lookup failed (" + e + "); expected the JNDI name of a javax.sql.DataSource", e);
        }
        if (!(found instanceof DataSource ds)) {
            throw p.bad(key, name, "the JNDI name of a javax.sql.DataSource (it names "
                    + (found == null ? "nothing" : "a " + found.getClass().getName()) + ")");
        }
        return new Resolved(ds, name);
    }
}
