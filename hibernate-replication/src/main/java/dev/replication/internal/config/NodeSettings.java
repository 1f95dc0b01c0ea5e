package dev.replication.internal.config;

import dev.replication.NodeConfig;
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

    /** Every configured node, primary first, in the order of {@code replication.replicas}. */
    public static List<NodeConfig> read(SettingsReader p) {
        String defaultUser = p.string(ReplicationProperty.USER);
        String defaultPassword = Passwords.resolve(p, PASSWORD.key(), PASSWORD_ENV.key(), PASSWORD_FILE.key());
        String primaryName = p.name(ReplicationProperty.PRIMARY_NAME);
        String primaryPassword = Passwords.resolve(p, PRIMARY_PASSWORD.key(), PRIMARY_PASSWORD_ENV.key(),
                PRIMARY_PASSWORD_FILE.key());
        List<NodeConfig> nodes = new ArrayList<>();
        nodes.add(node(p, primaryName, ReplicationProperty.PRIMARY_URL.key(), ReplicationProperty.PRIMARY_DATASOURCE.key(),
                coalesce(p.string(ReplicationProperty.PRIMARY_USER), defaultUser),
                coalesce(primaryPassword, defaultPassword), 1));
        Set<String> seen = new HashSet<>();
        seen.add(primaryName.toLowerCase(Locale.ROOT));
        for (String name : p.names(REPLICAS)) {
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw p.bad(REPLICAS.key(), p.raw(REPLICAS.key()), "names that are unique (ignoring case) and differ"
                        + " from the primary's name '" + primaryName + "' (duplicate: '" + name + "')");
            }
            String password = Passwords.resolve(p, REPLICA_PASSWORD.key(name), REPLICA_PASSWORD_ENV.key(name),
                    REPLICA_PASSWORD_FILE.key(name));
            nodes.add(node(p, name, ReplicationProperty.REPLICA_URL.key(name), ReplicationProperty.REPLICA_DATASOURCE.key(name),
                    coalesce(p.string(ReplicationProperty.REPLICA_USER.key(name)), defaultUser),
                    coalesce(password, defaultPassword),
                    p.intValue(ReplicationProperty.REPLICA_WEIGHT.key(name), ReplicationProperty.REPLICA_WEIGHT, 1)));
        }
        return nodes;
    }

    /** A node from its URL, or from its data source when one is given (then without URL or credentials). */
    private static NodeConfig node(SettingsReader p, String name, String urlKey, String dataSourceKey, String user,
                                   String password, int weight) {
        DataSources.Resolved ds = DataSources.resolve(p, dataSourceKey);
        if (ds == null) {
            return new NodeConfig(name, p.requiredUrl(urlKey), user, password, weight);
        }
        if (p.string(urlKey) != null) {
            throw new ReplicationConfigurationException("Both '" + urlKey + "' and '" + dataSourceKey + "' are set for node '"
                    + name + "': keep one (the data source brings its own URL and credentials)");
        }
        return new NodeConfig(name, null, null, null, weight, ds.dataSource(), ds.name());
    }

    private static String coalesce(String a, String b) {
        return a != null ? a : b;
    }
}
