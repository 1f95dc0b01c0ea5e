package dev.replication.internal.config;

import dev.replication.NodeConfig;
import dev.replication.PoolSettings;
import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationProperty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static dev.replication.ReplicationProperty.PASSWORD;
import static dev.replication.ReplicationProperty.PASSWORD_ENV;
import static dev.replication.ReplicationProperty.PASSWORD_FILE;
import static dev.replication.ReplicationProperty.PRIMARY_PASSWORD;
import static dev.replication.ReplicationProperty.PRIMARY_PASSWORD_ENV;
import static dev.replication.ReplicationProperty.PRIMARY_PASSWORD_FILE;
import static dev.replication.ReplicationProperty.REPLICAS;
import static dev.replication.ReplicationProperty.REPLICA_PASSWORD;
import static dev.replication.ReplicationProperty.REPLICA_PASSWORD_ENV;
import static dev.replication.ReplicationProperty.REPLICA_PASSWORD_FILE;

/**
 * Reads the nodes, primary first: names, URLs, users and passwords (a node's own password keys,
 * else the default ones). Node names are unique ignoring case, since they are tenant ids and MXBean
 * keys that people read.
 */
public final class NodeSettings {

    private NodeSettings() {
    }

    /** Every configured node, primary first, with the global pool settings read from {@code p}. */
    public static List<NodeConfig> read(SettingsReader p) {
        return read(p, globalPool(p), false);
    }

    /**
     * Every configured node, primary first, in the order of {@code replication.replicas}.
     *
     * @param patroni the topology is Patroni's: the primary's URL is the members' template and listed
     *                replicas carry per-member settings only (no URL, no data source, no failover priority)
     */
    public static List<NodeConfig> read(SettingsReader p, PoolSettings globalPool, boolean patroni) {
        String defaultUser = p.string(ReplicationProperty.USER);
        String defaultPassword = Passwords.resolve(p, PASSWORD.key(), PASSWORD_ENV.key(), PASSWORD_FILE.key());
        String primaryName = p.name(ReplicationProperty.PRIMARY_NAME);
        String primaryPassword = Passwords.resolve(p, PRIMARY_PASSWORD.key(), PRIMARY_PASSWORD_ENV.key(),
                PRIMARY_PASSWORD_FILE.key());
        List<NodeConfig> nodes = new ArrayList<>();
        nodes.add(node(p, primaryName, ReplicationProperty.PRIMARY_URL.key(), ReplicationProperty.PRIMARY_DATASOURCE.key(),
                coalesce(p.string(ReplicationProperty.PRIMARY_USER), defaultUser),
                coalesce(primaryPassword, defaultPassword), 1, true, NodeConfig.DEFAULT_FAILOVER_PRIORITY, globalPool));
        Set<String> seen = new HashSet<>();
        seen.add(primaryName.toLowerCase(Locale.ROOT));
        for (String name : p.names(REPLICAS)) {
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw p.bad(REPLICAS.key(), p.raw(REPLICAS.key()), "names that are unique (ignoring case) and differ"
                        + " from the primary's name '" + primaryName + "' (duplicate: '" + name + "')");
            }
            String password = Passwords.resolve(p, REPLICA_PASSWORD.key(name), REPLICA_PASSWORD_ENV.key(name),
                    REPLICA_PASSWORD_FILE.key(name));
            if (patroni) {
                for (ReplicationProperty prop : List.of(ReplicationProperty.REPLICA_URL, ReplicationProperty.REPLICA_DATASOURCE,
                        ReplicationProperty.REPLICA_FAILOVER_PRIORITY)) {
                    if (p.string(prop.key(name)) != null) {
                        throw new ReplicationConfigurationException("Setting '" + prop.key(name) + "' does not apply with '"
                                + ReplicationProperty.TOPOLOGY.key() + "=patroni': a member's address comes from Patroni"
                                + " and Patroni promotes; per-member settings are user, password, weight, reads and pool");
                    }
                }
                nodes.add(new NodeConfig(name, null,
                        coalesce(p.string(ReplicationProperty.REPLICA_USER.key(name)), defaultUser),
                        coalesce(password, defaultPassword),
                        p.intValue(ReplicationProperty.REPLICA_WEIGHT.key(name), ReplicationProperty.REPLICA_WEIGHT, 1),
                        null, null, p.bool(ReplicationProperty.REPLICA_READS.key(name), ReplicationProperty.REPLICA_READS),
                        0, PoolSettingsReader.replica(p, name, globalPool)));
                continue;
            }
            nodes.add(node(p, name, ReplicationProperty.REPLICA_URL.key(name), ReplicationProperty.REPLICA_DATASOURCE.key(name),
                    coalesce(p.string(ReplicationProperty.REPLICA_USER.key(name)), defaultUser),
                    coalesce(password, defaultPassword),
                    p.intValue(ReplicationProperty.REPLICA_WEIGHT.key(name), ReplicationProperty.REPLICA_WEIGHT, 1),
                    p.bool(ReplicationProperty.REPLICA_READS.key(name), ReplicationProperty.REPLICA_READS),
                    p.intValue(ReplicationProperty.REPLICA_FAILOVER_PRIORITY.key(name),
                            ReplicationProperty.REPLICA_FAILOVER_PRIORITY, 0),
                    PoolSettingsReader.replica(p, name, globalPool)));
        }
        return nodes;
    }

    /** A node from its URL, or from its data source when one is given (then without URL or credentials). */
    private static NodeConfig node(SettingsReader p, String name, String urlKey, String dataSourceKey, String user,
                                   String password, int weight, boolean reads, int priority, PoolSettings pool) {
        DataSources.Resolved ds = DataSources.resolve(p, dataSourceKey);
        if (ds == null) {
            return new NodeConfig(name, p.requiredUrl(urlKey), user, password, weight, null, null, reads, priority, pool);
        }
        if (p.string(urlKey) != null) {
            throw new ReplicationConfigurationException("Both '" + urlKey + "' and '" + dataSourceKey + "' are set for node '"
                    + name + "': keep one (the data source brings its own URL and credentials)");
        }
        String poolKey = PoolSettingsReader.anyReplicaKey(p, name);
        if (poolKey != null) {
            throw new ReplicationConfigurationException("Both '" + poolKey + "' and '" + dataSourceKey + "' are set for node '"
                    + name + "': a data source's pool is configured where the data source is defined");
        }
        return new NodeConfig(name, null, null, null, weight, ds.dataSource(), ds.name(), reads, priority, null);
    }

    /** The global pool settings ({@code replication.pool.*}). */
    public static PoolSettings globalPool(SettingsReader p) {
        return PoolSettingsReader.global(p);
    }

    private static String coalesce(String a, String b) {
        return a != null ? a : b;
    }
}
