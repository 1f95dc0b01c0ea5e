package dev.replication.internal.config;

import dev.replication.ReplicationConfig.FailoverMode;
import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationProperty;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code replication.topology} and what goes with it: the Patroni REST addresses, and the settings a
 * Patroni topology does not take (this library never promotes there; Patroni does).
 */
public final class TopologySettings {

    private static final List<ReplicationProperty> PROMOTION_KEYS = List.of(
            ReplicationProperty.FAILOVER_MAX_LAG_BYTES, ReplicationProperty.FAILOVER_PROMOTE_TIMEOUT,
            ReplicationProperty.FAILOVER_REPOINT_STANDBYS, ReplicationProperty.PRIMARY_DATASOURCE);

    private TopologySettings() {
    }

    /** The Patroni REST addresses: required with a Patroni topology, refused without one. */
    public static List<URI> patroniUrls(SettingsReader p, boolean patroni) {
        String key = ReplicationProperty.PATRONI_URLS.key();
        String v = p.string(key);
        if (!patroni) {
            if (v != null) {
                throw new ReplicationConfigurationException("Setting '" + key + "' needs '"
                        + ReplicationProperty.TOPOLOGY.key() + "=patroni' (the topology is static)");
            }
            return List.of();
        }
        if (v == null) {
            throw new ReplicationConfigurationException("Missing required setting '" + key + "' (with '"
                    + ReplicationProperty.TOPOLOGY.key() + "=patroni'): expected "
                    + ReplicationProperty.Type.URL_LIST.allowed() + ", e.g. http://db1:8008,http://db2:8008");
        }
        List<URI> urls = new ArrayList<>();
        for (String entry : p.entries(ReplicationProperty.PATRONI_URLS, v)) {
            URI uri;
            try {
                uri = new URI(entry);
            } catch (URISyntaxException e) {
                throw p.bad(key, v, ReplicationProperty.Type.URL_LIST.allowed() + " ('" + entry + "' is not a URL)");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw p.bad(key, v, ReplicationProperty.Type.URL_LIST.allowed() + " ('" + entry + "' is not one)");
            }
            if (uri.getUserInfo() != null) {
                throw new ReplicationConfigurationException("Setting '" + key + "' holds credentials in a URL; they"
                        + " are not supported (and never shown): give the REST API addresses only");
            }
            urls.add(uri);
        }
        return List.copyOf(urls);
    }

    /**
     * The failover mode of a Patroni topology: following Patroni's leader. {@code replication.failover}
     * may be left out or say {@code discover}; promotion settings are refused.
     */
    public static FailoverMode patroniFailover(SettingsReader p) {
        String key = ReplicationProperty.FAILOVER.key();
        String v = p.string(key);
        if (v != null && !v.trim().equalsIgnoreCase("discover")) {
            throw p.bad(key, v, "discover, or no value, with '" + ReplicationProperty.TOPOLOGY.key()
                    + "=patroni': Patroni promotes and this library follows its leader");
        }
        for (ReplicationProperty prop : PROMOTION_KEYS) {
            if (p.string(prop.key()) != null) {
                throw new ReplicationConfigurationException("Setting '" + prop.key() + "' does not apply with '"
                        + ReplicationProperty.TOPOLOGY.key() + "=patroni': "
                        + (prop == ReplicationProperty.PRIMARY_DATASOURCE
                        ? "member connections are built from replication.primary.url and each member's address"
                        : "Patroni promotes and re-attaches standbys, this library never does") + "; remove it");
            }
        }
        return FailoverMode.DISCOVER;
    }
}
