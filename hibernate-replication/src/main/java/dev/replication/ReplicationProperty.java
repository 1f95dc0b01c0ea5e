package dev.replication;

import dev.replication.internal.Durations;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key of the library, with its type, default and description.
 * <p>
 * Keys are read from persistence.xml properties (or any {@code Map} handed to Hibernate) and
 * from {@link ReplicationConfig.Builder}. Per-replica keys are templates in which {@code <name>}
 * stands for a replica name listed in {@link #REPLICAS}. An unknown {@code replication.*} key or
 * a value of the wrong type fails at startup with a {@link ReplicationConfigurationException}
 * naming the key, the value and what is allowed.
 */
public enum ReplicationProperty {

    TOPOLOGY("replication.topology", Type.ENUM, "static",
            "Where the nodes come from: static (replication.primary.url and the listed replicas) or patroni (the"
                    + " members Patroni's REST API lists at replication.patroni.urls, followed at run time; the leader"
                    + " is the primary, never promoted by this library).",
            "static", "patroni"),
    TENANCY("replication.tenancy", Type.ENUM, "none",
            "How the application's own customers (Hibernate tenants) combine with the nodes: none (Hibernate's tenant"
                    + " is the node: 'primary' or a replica's name; @TenantId entities are refused), discriminator (the"
                    + " application's tenant stays Hibernate's tenant, e.g. a @TenantId column; the node comes from the"
                    + " routing scope), schema (as discriminator, and each connection's search_path is set to"
                    + " replication.tenancy.schema), database (as discriminator, and each connection goes to the database"
                    + " replication.tenancy.database on the node's server; library-built pools only).",
            "none", "discriminator", "schema", "database"),
    TENANCY_SCHEMA("replication.tenancy.schema", Type.TENANT_PATTERN, "{tenant}",
            "With tenancy schema: the schema of a tenant; {tenant} stands for the tenant id (1 to 63 letters, digits,"
                    + " '_' or '-'). Set on each connection as its search_path and reset before it goes back to the pool."),
    TENANCY_DATABASE("replication.tenancy.database", Type.TENANT_PATTERN, "{tenant}",
            "With tenancy database: the database of a tenant on every node's server; {tenant} stands for the tenant"
                    + " id (1 to 63 letters, digits, '_' or '-'). Each node keeps one pool per tenant database."),
    PATRONI_URLS("replication.patroni.urls", Type.URL_LIST, null,
            "With topology patroni: comma-separated REST API addresses of one or more Patroni members"
                    + " (http://host:8008); any member answers for the whole cluster."),
    PRIMARY_URL("replication.primary.url", Type.JDBC_URL, null,
            "JDBC URL of the primary (jdbc:postgresql://host:port/db). With topology patroni: the URL of any member;"
                    + " each member's URL is this one with the member's host and port."),
    PRIMARY_DATASOURCE("replication.primary.datasource", Type.DATASOURCE, null,
            "Instead of primary.url: the JNDI name of a DataSource the container owns (enlisted in JTA), or, in a"
                    + " programmatic property map, the DataSource object itself. The node's pool settings and"
                    + " credentials are then the container's."),
    PRIMARY_NAME("replication.primary.name", Type.NAME, "primary",
            "Node name and Hibernate tenant id of the primary."),
    PRIMARY_READ_WEIGHT("replication.primary.read-weight", Type.NON_NEGATIVE_INT, "0",
            "Share of reads the primary takes beside the replicas, as a weight like a replica's; 0: the primary reads"
                    + " only when no replica qualifies."),
    PRIMARY_USER("replication.primary.user", Type.STRING, null,
            "User for the primary; defaults to replication.user."),
    PRIMARY_PASSWORD("replication.primary.password", Type.SECRET, null,
            "Password for the primary; defaults to the default password. Never logged by the library, but"
                    + " Hibernate prints a literal value at DEBUG: prefer replication.primary.password-env or -file."),
    PRIMARY_PASSWORD_ENV("replication.primary.password-env", Type.ENV_VAR, null,
            "Name of the environment variable holding the primary's password (instead of replication.primary.password)."),
    PRIMARY_PASSWORD_FILE("replication.primary.password-file", Type.FILE, null,
            "Path of a file holding the primary's password, trailing line break removed (instead of"
                    + " replication.primary.password)."),
    USER("replication.user", Type.STRING, null, "Default user for every node."),
    PASSWORD("replication.password", Type.SECRET, null,
            "Default password for every node. Never logged by the library, but Hibernate prints a literal value at"
                    + " DEBUG, and turns an unresolved ${...} into an empty one: prefer replication.password-env or -file."),
    PASSWORD_ENV("replication.password-env", Type.ENV_VAR, null,
            "Name of the environment variable holding the default password (instead of replication.password)."),
    PASSWORD_FILE("replication.password-file", Type.FILE, null,
            "Path of a file holding the default password, trailing line break removed, e.g. a mounted secret"
                    + " (instead of replication.password)."),
    REPLICAS("replication.replicas", Type.NAME_LIST, "",
            "Comma-separated replica names (no empty entries, unique ignoring case, none equal to the primary's name);"
                    + " each name is also its Hibernate tenant id."),
    REPLICA_URL("replication.replica.<name>.url", Type.JDBC_URL, null, "JDBC URL of the replica <name>."),
    REPLICA_DATASOURCE("replication.replica.<name>.datasource", Type.DATASOURCE, null,
            "Instead of replica.<name>.url: the JNDI name of a DataSource, or a DataSource object (see"
                    + " replication.primary.datasource)."),
    REPLICA_USER("replication.replica.<name>.user", Type.STRING, null,
            "User for the replica <name>; defaults to replication.user."),
    REPLICA_PASSWORD("replication.replica.<name>.password", Type.SECRET, null,
            "Password for the replica <name>; defaults to the default password. Never logged by the library (see"
                    + " replication.password)."),
    REPLICA_PASSWORD_ENV("replication.replica.<name>.password-env", Type.ENV_VAR, null,
            "Name of the environment variable holding the password of the replica <name>."),
    REPLICA_PASSWORD_FILE("replication.replica.<name>.password-file", Type.FILE, null,
            "Path of a file holding the password of the replica <name>, trailing line break removed."),
    REPLICA_WEIGHT("replication.replica.<name>.weight", Type.POSITIVE_INT, "1",
            "Relative share of reads for the weighted selector."),
    REPLICA_READS("replication.replica.<name>.reads", Type.BOOLEAN, "true",
            "false: a standby kept for failover only (still monitored, promotable), never routed reads."),
    REPLICA_FAILOVER_PRIORITY("replication.replica.<name>.failover-priority", Type.NON_NEGATIVE_INT, "1",
            "Promotion preference of the replica <name> in failover mode promote: 0 never promotes it; among equally"
                    + " caught-up standbys the higher priority wins (then the name)."),
    REPLICA_POOL_MAX_SIZE("replication.replica.<name>.pool.max-size", Type.POSITIVE_INT, null,
            "Maximum connections of the replica <name>'s pool; defaults to replication.pool.max-size."),
    REPLICA_POOL_MIN_IDLE("replication.replica.<name>.pool.min-idle", Type.NON_NEGATIVE_INT, null,
            "Minimum idle connections of the replica <name>'s pool; defaults to replication.pool.min-idle."),
    REPLICA_POOL_CONNECTION_TIMEOUT("replication.replica.<name>.pool.connection-timeout", Type.DURATION, null,
            "Connection timeout of the replica <name>'s pool (at least 250ms); defaults to"
                    + " replication.pool.connection-timeout."),
    REPLICA_POOL_IDLE_TIMEOUT("replication.replica.<name>.pool.idle-timeout", Type.DURATION, null,
            "Idle timeout of the replica <name>'s pool (0 or at least 10s); defaults to replication.pool.idle-timeout."),
    REPLICA_POOL_MAX_LIFETIME("replication.replica.<name>.pool.max-lifetime", Type.DURATION, null,
            "Maximum lifetime of the replica <name>'s pool connections (0 or at least 30s); defaults to"
                    + " replication.pool.max-lifetime."),

    SELECTOR("replication.selector", Type.SELECTOR, "round-robin",
            "Replica selection: round-robin, random, least-loaded, weighted, lowest-lag, or the class name of a"
                    + " dev.replication.spi.ReplicaSelector with a public no-arg constructor."),
    NO_REPLICA("replication.no-replica", Type.ENUM, "primary",
            "When no replica qualifies for a read: primary (read on the primary) or fail (throw).",
            "primary", "fail"),
    READ_ONLY_SESSIONS("replication.read-only-sessions", Type.ENUM, "replica",
            "Where sessions opened with withOptions().readOnly(true) outside any routing scope read: replica"
                    + " (chosen by the selector) or primary. With the second-level cache on they always read on the primary.",
            "replica", "primary"),

    POOL_MAX_SIZE("replication.pool.max-size", Type.POSITIVE_INT, "10", "Maximum connections per node pool."),
    POOL_MIN_IDLE("replication.pool.min-idle", Type.NON_NEGATIVE_INT, "2", "Minimum idle connections per node pool."),
    POOL_CONNECTION_TIMEOUT("replication.pool.connection-timeout", Type.DURATION, "500ms",
            "Longest wait for a pooled connection before the node counts as unavailable (HikariCP"
                    + " connectionTimeout, at least 250ms)."),
    POOL_IDLE_TIMEOUT("replication.pool.idle-timeout", Type.DURATION, "10m",
            "HikariCP idleTimeout: 0 (idle connections stay) or at least 10s."),
    POOL_MAX_LIFETIME("replication.pool.max-lifetime", Type.DURATION, "30m",
            "HikariCP maxLifetime: 0 (no limit) or at least 30s."),
    HIKARI("replication.hikari.<property>", Type.PASSTHROUGH, null,
            "Any HikariConfig property, passed through to every node pool (e.g. replication.hikari.leakDetectionThreshold);"
                    + " not passwords (use the password keys)."),
    CONNECT_TIMEOUT("replication.connect-timeout", Type.DURATION, "1s",
            "TCP connect and login timeout of new connections (pgjdbc connectTimeout/loginTimeout, whole seconds)."),

    MONITOR_INTERVAL("replication.monitor.interval", Type.DURATION, "1s",
            "How often the monitor checks every node; 0 disables the monitor."),
    MONITOR_TIMEOUT("replication.monitor.timeout", Type.DURATION, "400ms",
            "Longest a single node check may take before it counts as failed; must be below the interval"
                    + " (when not set and the interval is 400ms or less: half the interval)."),
    MAX_LAG("replication.max-lag", Type.DURATION, "5s",
            "A replica further behind than this (in time) is not used for reads."),
    MAX_LAG_BYTES("replication.max-lag-bytes", Type.NON_NEGATIVE_LONG, "67108864",
            "A replica further behind than this many bytes of WAL is not used for reads; 0 means no byte limit."),
    READMIT_AFTER("replication.readmit-after", Type.POSITIVE_INT, "3",
            "Consecutive good checks before an excluded replica is used again."),
    RETRY_READS("replication.retry-reads", Type.BOOLEAN, "true",
            "Retry a read once on another node when its replica connection fails before any result."),

    CONSISTENCY("replication.consistency", Type.ENUM, "wait",
            "Read-after-write: wait (wait for a replica that replayed the token, then primary), primary (go to"
                    + " the primary at once when no replica has replayed it), off (ignore tokens).",
            "wait", "primary", "off"),
    CONSISTENCY_WAIT_TIMEOUT("replication.consistency.wait-timeout", Type.DURATION, "300ms",
            "Longest wait for a replica to replay the scope's token before reading on the primary."),

    FAILOVER("replication.failover", Type.ENUM, "manual",
            "Primary failure handling: manual (report, writes fail, operator promotes), promote (promote the most"
                    + " caught-up standby), discover (follow a primary promoted by something else).",
            "manual", "promote", "discover"),
    FAILOVER_PRIMARY_FAILURES("replication.failover.primary-failures", Type.POSITIVE_INT, "3",
            "Consecutive failed primary checks before the primary counts as failed."),
    FAILOVER_MAX_LAG_BYTES("replication.failover.max-lag-bytes", Type.NON_NEGATIVE_LONG, "1048576",
            "Never promote a standby that replayed less than the last primary position the monitor saw minus this"
                    + " many bytes of WAL (like Patroni's maximum_lag_on_failover); writes then stay unavailable and"
                    + " the reason is logged and published. 0 means no limit."),
    FAILOVER_PROMOTE_TIMEOUT("replication.failover.promote-timeout", Type.DURATION, "10s",
            "Longest wait for a promoted standby to leave recovery (above 0)."),
    FAILOVER_REPOINT_STANDBYS("replication.failover.repoint-standbys", Type.BOOLEAN, "false",
            "After the primary changed, point standbys still following the old one at the new primary (ALTER SYSTEM"
                    + " SET primary_conninfo with the host and port of its JDBC URL, other parameters kept, then"
                    + " pg_reload_conf()). Needs PostgreSQL 13+ and a role that may run ALTER SYSTEM and read"
                    + " primary_conninfo (superuser, or GRANT ALTER SYSTEM ON PARAMETER primary_conninfo plus"
                    + " pg_read_all_settings)."),

    LISTENERS("replication.listeners", Type.CLASS_LIST, "",
            "Comma-separated class names of dev.replication.spi.RoutingListener implementations with a public"
                    + " no-arg constructor, registered at startup (in addition to Replication.addListener)."),
    JMX_ENABLED("replication.jmx.enabled", Type.BOOLEAN, "true",
            "Register the cluster status MXBean dev.replication:type=Cluster,name=<replication.jmx.name>."),
    JMX_NAME("replication.jmx.name", Type.STRING, null,
            "The name key of the MXBean; defaults to host:port/database of the primary URL (never credentials).");

    /** Value types; each knows how to describe what it allows. */
    public enum Type {
        STRING("any text"),
        SECRET("any non-empty text"),
        ENV_VAR("the name of an environment variable that is set and not empty"),
        FILE("the path of a readable file that is not empty"),
        NAME("a name of 1 to 63 letters, digits, '_' or '-'"),
        NAME_LIST("a comma-separated list of names of 1 to 63 letters, digits, '_' or '-'"),
        JDBC_URL("a URL starting with jdbc:postgresql://"),
        URL_LIST("a comma-separated list of http:// or https:// URLs with a host"),
        DATASOURCE("the JNDI name of a javax.sql.DataSource, or a DataSource object"),
        POSITIVE_INT("a whole number >= 1"),
        NON_NEGATIVE_INT("a whole number >= 0"),
        NON_NEGATIVE_LONG("a whole number >= 0"),
        BOOLEAN("true or false"),
        DURATION(Durations.ALLOWED),
        ENUM("one of the listed values"),
        SELECTOR("round-robin, random, least-loaded, weighted, lowest-lag or a class name"),
        CLASS_LIST("a comma-separated list of class names"),
        TENANT_PATTERN("a name of letters, digits, '_' or '-' containing {tenant}"),
        PASSTHROUGH("any HikariConfig property");

        private final String allowed;

        Type(String allowed) {
            this.allowed = allowed;
        }

        /** Human-readable description of the values this type accepts. */
        public String allowed() {
            return allowed;
        }
    }

    /** Prefix of every key of this library. */
    public static final String PREFIX = "replication.";

    private final String key;
    private final Type type;
    private final String defaultValue;
    private final String description;
    private final List<String> choices;

    ReplicationProperty(String key, Type type, String defaultValue, String description, String... choices) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.choices = List.of(choices);
    }

    /** The key, possibly a template containing {@code <name>} or {@code <property>}. */
    public String key() {
        return key;
    }

    /** The key for a given replica name (only for {@code replication.replica.<name>.*} templates). */
    public String key(String replicaName) {
        return key.replace("<name>", replicaName);
    }

    public Type type() {
        return type;
    }

    /** The default as text, or {@code null} when the setting has none. */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** For {@link Type#ENUM} settings, the allowed values; otherwise empty. */
    public List<String> choices() {
        return choices;
    }

    /** What this setting allows, for error messages. */
    public String allowed() {
        return type == Type.ENUM ? "one of " + String.join(", ", choices) : type.allowed();
    }

    boolean isTemplate() {
        return key.contains("<");
    }

    /** The setting a concrete key belongs to, matching templates; empty when unknown. */
    public static Optional<ReplicationProperty> forKey(String concreteKey) {
        String k = concreteKey.toLowerCase(Locale.ROOT);
        for (ReplicationProperty p : values()) {
            if (!p.isTemplate() && p.key.equals(k)) {
                return Optional.of(p);
            }
        }
        if (k.startsWith("replication.hikari.") && k.length() > "replication.hikari.".length()) {
            return Optional.of(HIKARI);
        }
        if (k.startsWith("replication.replica.")) {
            String rest = k.substring("replication.replica.".length());
            int dot = rest.indexOf('.');
            if (dot > 0) {
                String template = "replication.replica.<name>" + rest.substring(dot);
                return Arrays.stream(values()).filter(p -> p.key.equals(template)).findFirst();
            }
        }
        return Optional.empty();
    }
}
