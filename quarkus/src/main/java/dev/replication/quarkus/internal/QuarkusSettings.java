package dev.replication.quarkus.internal;

import dev.replication.ReplicationConfigurationException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.arc.ActiveResult;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableBean;
import io.quarkus.arc.InstanceHandle;
import jakarta.enterprise.inject.Any;
import org.eclipse.microprofile.config.Config;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@code replication.*} settings of a Quarkus application, read from MicroProfile Config: the
 * core's keys (validated by the core), each node's Quarkus data source put in as the node's
 * {@code datasource} object, and the keys of this module ({@code replication.http.*}).
 */
public final class QuarkusSettings {

    public static final String PREFIX = "replication.";
    public static final String HTTP_PREFIX = "replication.http.";
    public static final String HTTP_HEADER = "replication.http.header";
    public static final String HTTP_COOKIE = "replication.http.cookie";
    public static final String HTTP_RETRY_AFTER = "replication.http.retry-after";
    public static final String DEFAULT_HEADER = "X-Consistency-Token";
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 2;
    private static final int MAX_RETRY_AFTER_SECONDS = 3600;
    private static final List<String> HTTP_KEYS = List.of(HTTP_HEADER, HTTP_COOKIE, HTTP_RETRY_AFTER);

    private static final String PRIMARY_NAME = "replication.primary.name";
    private static final String REPLICAS = "replication.replicas";

    private final Map<String, Object> core;
    private final HttpSettings http;

    private QuarkusSettings(Map<String, Object> core, HttpSettings http) {
        this.core = core;
        this.http = http;
    }

    /**
     * The response header and (opt-in) cookie that carry a request's consistency token, and the {@code Retry-After}
     * seconds of a 503 answer.
     */
    public record HttpSettings(String header, Optional<String> cookie, int retryAfterSeconds) {
    }

    /** Reads and checks the settings; the nodes' data sources are Quarkus' (Agroal). */
    public static QuarkusSettings read(Config config) {
        return read(config, name -> AgroalDataSourceUtil.dataSourceIfActive(name));
    }

    static QuarkusSettings read(Config config, Function<String, Optional<? extends DataSource>> dataSources) {
        Map<String, Object> core = new LinkedHashMap<>();
        for (String key : config.getPropertyNames()) {
            if (key.startsWith(PREFIX) && !key.startsWith(HTTP_PREFIX)) {
                config.getOptionalValue(key, String.class).ifPresent(v -> core.put(key, v));
            }
        }
        String primary = primaryName(config);
        node(core, "replication.primary.", primary, dataSources);
        for (String replica : replicaNames(core)) {
            node(core, "replication.replica." + replica + ".", replica, dataSources);
        }
        return new QuarkusSettings(core, http(config));
    }

    /** The primary's node name and tenant id ({@code replication.primary.name}, default {@code primary}). */
    public static String primaryName(Config config) {
        return config.getOptionalValue(PRIMARY_NAME, String.class).map(String::trim).orElse("primary");
    }

    /** Only this module's HTTP settings (for the REST filters). */
    public static HttpSettings http(Config config) {
        for (String key : config.getPropertyNames()) {
            if (key.startsWith(HTTP_PREFIX) && !HTTP_KEYS.contains(key)) {
                throw new ReplicationConfigurationException("Unknown key '" + key + "': the keys under " + HTTP_PREFIX
                        + " are " + HTTP_KEYS);
            }
        }
        String header = config.getOptionalValue(HTTP_HEADER, String.class).map(String::trim).orElse(DEFAULT_HEADER);
        Optional<String> cookie = config.getOptionalValue(HTTP_COOKIE, String.class).map(String::trim);
        checkToken(HTTP_HEADER, header);
        cookie.ifPresent(c -> checkToken(HTTP_COOKIE, c));
        int retryAfter = config.getOptionalValue(HTTP_RETRY_AFTER, String.class).map(String::trim)
                .map(QuarkusSettings::retryAfter).orElse(DEFAULT_RETRY_AFTER_SECONDS);
        return new HttpSettings(header, cookie, retryAfter);
    }

    private static int retryAfter(String value) {
        String digits = value.endsWith("s") ? value.substring(0, value.length() - 1) : value;
        try {
            int seconds = Integer.parseInt(digits);
            if (seconds >= 0 && seconds <= MAX_RETRY_AFTER_SECONDS) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ReplicationConfigurationException("Invalid value '" + value + "' for '" + HTTP_RETRY_AFTER
                + "': expected whole seconds from 0 to " + MAX_RETRY_AFTER_SECONDS + " (e.g. 2 or 2s), the Retry-After"
                + " of a 503 answer when no primary takes writes");
    }

    /**
     * Node name to Quarkus data source name, the primary first, then the replicas in {@code replication.replicas}
     * order ({@code <default>} is Quarkus' unnamed data source).
     */
    public static Map<String, String> nodeDataSources(Config config) {
        Map<String, String> nodes = new LinkedHashMap<>();
        String primary = primaryName(config);
        nodes.put(primary, config.getOptionalValue("replication.primary.datasource", String.class).map(String::trim)
                .orElse(primary));
        Map<String, Object> replicas = new LinkedHashMap<>();
        config.getOptionalValue(REPLICAS, String.class).ifPresent(v -> replicas.put(REPLICAS, v));
        for (String replica : replicaNames(replicas)) {
            nodes.put(replica, config.getOptionalValue("replication.replica." + replica + ".datasource", String.class)
                    .map(String::trim).orElse(replica));
        }
        return nodes;
    }

    /** The core's settings, with each node's data source object. */
    public Map<String, Object> coreSettings() {
        return core;
    }

    public HttpSettings httpSettings() {
        return http;
    }

    private static List<String> replicaNames(Map<String, Object> core) {
        List<String> names = new ArrayList<>();
        Object list = core.get(REPLICAS);
        if (list != null) {
            for (String n : String.valueOf(list).split(",")) {
                if (!n.isBlank()) {
                    names.add(n.trim());
                }
            }
        }
        return names;
    }

    private static void node(Map<String, Object> core, String prefix, String node,
                             Function<String, Optional<? extends DataSource>> dataSources) {
        String urlKey = prefix + "url";
        String dsKey = prefix + "datasource";
        if (core.containsKey(urlKey)) {
            throw new ReplicationConfigurationException("Invalid key '" + urlKey + "' with Quarkus: node '" + node
                    + "' is served by a Quarkus data source, enlisted in its transactions; configure"
                    + " quarkus.datasource.\"" + node + "\".jdbc.url instead (or name another data source with '"
                    + dsKey + "')");
        }
        Object named = core.get(dsKey);
        String dataSource = named == null ? node : String.valueOf(named).trim();
        DataSource ds = dataSources.apply(dataSource).orElseThrow(() -> new ReplicationConfigurationException(
                (named == null ? "Missing Quarkus data source '" + dataSource + "' for node '" + node + "'"
                        : "Invalid value '" + dataSource + "' for '" + dsKey + "': no such Quarkus data source")
                        + ": configure quarkus.datasource.\"" + dataSource + "\".db-kind and .jdbc.url"
                        + (named == null ? ", or set '" + dsKey + "' to the name of a configured data source" : "")
                        + "; active data sources: " + activeNames()));
        core.put(dsKey, ds);
    }

    private static String activeNames() {
        try {
            List<String> all = new ArrayList<>();
            for (InstanceHandle<AgroalDataSource> h : Arc.container().select(AgroalDataSource.class, Any.Literal.INSTANCE).handles()) {
                InjectableBean<AgroalDataSource> bean = h.getBean();
                ActiveResult active = bean.checkActive();
                all.add(AgroalDataSourceUtil.dataSourceName(bean) + (active.value() ? "" : " (inactive: " + active.inactiveReason() + ")"));
            }
            return new TreeSet<>(all).toString();
        } catch (RuntimeException e) {
            return "(unknown: " + e + ")";
        }
    }

    /** An HTTP header or cookie name: an RFC 9110 token. */
    private static void checkToken(String key, String value) {
        boolean ok = !value.isEmpty() && value.length() <= 128;
        for (int i = 0; ok && i < value.length(); i++) {
            char c = value.charAt(i);
            ok = c < 127 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
        }
        if (!ok) {
            throw new ReplicationConfigurationException("Invalid value '" + value + "' for '" + key
                    + "': expected an HTTP header or cookie name (1-128 letters, digits or !#$%&'*+-.^_`|~)");
        }
    }
}
