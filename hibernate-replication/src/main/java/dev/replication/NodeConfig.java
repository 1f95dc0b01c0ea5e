package dev.replication;

import dev.replication.internal.Secrets;

import javax.sql.DataSource;

/**
 * One configured node. {@link #toString()} never shows the password, and masks any password
 * embedded in the URL.
 *
 * @param name           node name, also its Hibernate tenant id
 * @param url            JDBC URL; {@code null} when the node's connections come from {@code dataSource}
 * @param user           user, may be null (then the URL or driver defaults apply)
 * @param password       password, may be null
 * @param weight         relative read share for the weighted selector (replicas only)
 * @param dataSource     a data source the application or container owns (JTA-enlisted in a container),
 *                       or {@code null} for a pool the library builds from {@code url}
 * @param dataSourceName how the data source was given (its JNDI name, or a description of the
 *                       object), for messages; {@code null} without a data source
 * @param reads          whether routing may send reads to it as a replica ({@code false}: a standby
 *                       kept for failover only)
 * @param failoverPriority promotion preference, 0 never promoted (replicas; the primary's is 1)
 * @param pool           its pool's settings when the library builds the pool; {@code null} with a data source
 */
public record NodeConfig(String name, String url, String user, String password, int weight, DataSource dataSource,
                         String dataSourceName, boolean reads, int failoverPriority, PoolSettings pool) {

    /** The failover priority of a node without one configured. */
    public static final int DEFAULT_FAILOVER_PRIORITY = 1;

    /** Where the node's connections come from, for messages: the masked URL or the data source's name. */
    public String source() {
        return dataSource != null ? "datasource " + dataSourceName : Secrets.maskUrl(url);
    }

    @Override
    public String toString() {
        return "NodeConfig[name=" + name + ", " + (dataSource != null ? "datasource=" + dataSourceName
                : "url=" + Secrets.maskUrl(url) + ", user=" + user
                + ", password=" + (password == null ? "<none>" : "<hidden>")) + ", weight=" + weight
                + (reads ? "" : ", reads=false") + ", failoverPriority=" + failoverPriority
                + (pool == null ? "" : ", pool=" + pool) + "]";
    }
}
