package dev.replication.internal.config;

import dev.replication.NodeConfig;
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
        nodes.add(new NodeConfig(primaryName, p.requiredUrl(ReplicationProperty.PRIMARY_URL.key()),
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
            nodes.add(new NodeConfig(name,
                    p.requiredUrl(ReplicationProperty.REPLICA_URL.key(name)),
                    coalesce(p.string(ReplicationProperty.REPLICA_USER.key(name)), defaultUser),
                    coalesce(password, defaultPassword),
                    p.intValue(ReplicationProperty.REPLICA_WEIGHT.key(name), ReplicationProperty.REPLICA_WEIGHT, 1)));
        }
        return nodes;
    }

    private static String coalesce(String a, String b) {
        return a != null ? a : b;
    }
}
