package dev.replication;

import dev.replication.internal.config.NodeSettings;
import dev.replication.internal.config.SettingsReader;
import dev.replication.internal.config.TenancySettings;
import dev.replication.internal.config.TopologySettings;

import javax.sql.DataSource;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

// Over ~300 lines: the validated configuration's fields and accessors plus its public Builder; parsing and
// checks live in internal/config.
/**
 * Validated, immutable configuration of one replicated cluster. Built from persistence.xml
 * properties ({@link #fromProperties(Map)}) or from {@link #builder()}; both go through the same
 * validation, so every bad input fails here, at startup, naming the key, the value and what is
 * allowed. Every key is described by {@link ReplicationProperty}.
 * <p>
 * Thread-safe (immutable).
 */
public final class ReplicationConfig {

    /** How read-after-write tokens are honoured. */
    public enum ConsistencyMode { WAIT, PRIMARY, OFF }

    /** How the application's customers (Hibernate tenants) combine with the nodes ({@code replication.tenancy}). */
    public enum Tenancy {
        /** Hibernate's tenant is the node. */
        NONE,
        /** The application's tenant stays Hibernate's (a discriminator column); the node comes from the routing scope. */
        DISCRIMINATOR,
        /** As {@link #DISCRIMINATOR}, and each connection's search_path is the tenant's schema. */
        SCHEMA,
        /** As {@link #DISCRIMINATOR}, and each connection goes to the tenant's database on the node's server. */
        DATABASE;

        /** True when Hibernate's tenant is the application's customer, not a node. */
        public boolean composed() {
            return this != NONE;
        }
    }

    /** How a failed primary is handled. */
    public enum FailoverMode { MANUAL, PROMOTE, DISCOVER }

    /** Where the nodes come from. */
    public enum Topology {
        /** The configured primary and replicas. */
        STATIC,
        /** The members of a Patroni cluster, read from its REST API at run time; failover is Patroni's. */
        PATRONI
    }

    private final NodeConfig primary;
    private final List<NodeConfig> replicas;
    private final int primaryReadWeight;
    private final String selector;
    private final NoReplicaPolicy noReplicaPolicy;
    private final boolean readOnlySessionsOnReplica;
    private final PoolSettings pool;
    private final Properties hikari;
    private final Duration connectTimeout;
    private final Duration monitorInterval;
    private final Duration monitorTimeout;
    private final Duration maxLag;
    private final long maxLagBytes;
    private final int readmitAfter;
    private final boolean retryReads;
    private final ConsistencyMode consistency;
    private final Duration consistencyWaitTimeout;
    private final FailoverMode failover;
    private final int failoverPrimaryFailures;
    private final Duration failoverPromoteTimeout;
    private final long failoverMaxLagBytes;
    private final boolean failoverRepointStandbys;
    private final Topology topology;
    private final Tenancy tenancy;
    private final String tenancySchema;
    private final String tenancyDatabase;
    private final List<URI> patroniUrls;
    private final List<String> listeners;
    private final boolean jmxEnabled;
    private final String jmxName;

    private ReplicationConfig(SettingsReader p) {
        this.pool = NodeSettings.globalPool(p);
        this.topology = Topology.valueOf(p.choice(ReplicationProperty.TOPOLOGY));
        this.patroniUrls = TopologySettings.patroniUrls(p, topology == Topology.PATRONI);
        List<NodeConfig> nodes = NodeSettings.read(p, pool, topology == Topology.PATRONI);
        this.primary = nodes.get(0);
        this.replicas = List.copyOf(nodes.subList(1, nodes.size()));
        this.primaryReadWeight = p.intValue(ReplicationProperty.PRIMARY_READ_WEIGHT);
        p.rejectUnknown(nodes.stream().map(NodeConfig::name).toList());
        this.selector = p.selector();
        this.noReplicaPolicy = NoReplicaPolicy.valueOf(p.choice(ReplicationProperty.NO_REPLICA));
        this.readOnlySessionsOnReplica = p.choice(ReplicationProperty.READ_ONLY_SESSIONS).equals("REPLICA");
        this.hikari = p.hikari();
        this.connectTimeout = p.duration(ReplicationProperty.CONNECT_TIMEOUT);
        this.monitorInterval = p.duration(ReplicationProperty.MONITOR_INTERVAL);
        Duration timeout = p.duration(ReplicationProperty.MONITOR_TIMEOUT);
        if (p.string(ReplicationProperty.MONITOR_TIMEOUT) == null && !monitorInterval.isZero()
                && timeout.compareTo(monitorInterval) >= 0) {
            timeout = monitorInterval.dividedBy(2);
        }
        this.monitorTimeout = timeout;
        if (!monitorInterval.isZero() && monitorTimeout.compareTo(monitorInterval) >= 0) {
            throw p.bad(ReplicationProperty.MONITOR_TIMEOUT.key(), monitorTimeout.toMillis() + "ms",
                    "a duration below replication.monitor.interval (" + monitorInterval.toMillis() + "ms)");
        }
        if (monitorTimeout.isZero()) {
            throw p.bad(ReplicationProperty.MONITOR_TIMEOUT.key(), "0", "a duration above 0");
        }
        this.maxLag = p.duration(ReplicationProperty.MAX_LAG);
        this.maxLagBytes = p.longValue(ReplicationProperty.MAX_LAG_BYTES);
        this.readmitAfter = p.intValue(ReplicationProperty.READMIT_AFTER);
        this.retryReads = p.bool(ReplicationProperty.RETRY_READS);
        this.consistency = ConsistencyMode.valueOf(p.choice(ReplicationProperty.CONSISTENCY));
        this.consistencyWaitTimeout = p.duration(ReplicationProperty.CONSISTENCY_WAIT_TIMEOUT);
        this.failover = topology == Topology.PATRONI ? TopologySettings.patroniFailover(p)
                : FailoverMode.valueOf(p.choice(ReplicationProperty.FAILOVER));
        this.failoverPrimaryFailures = p.intValue(ReplicationProperty.FAILOVER_PRIMARY_FAILURES);
        this.failoverMaxLagBytes = p.longValue(ReplicationProperty.FAILOVER_MAX_LAG_BYTES);
        this.failoverPromoteTimeout = p.duration(ReplicationProperty.FAILOVER_PROMOTE_TIMEOUT);
        if (failoverPromoteTimeout.isZero()) {
            throw p.bad(ReplicationProperty.FAILOVER_PROMOTE_TIMEOUT.key(), "0", "a duration above 0");
        }
        this.failoverRepointStandbys = p.bool(ReplicationProperty.FAILOVER_REPOINT_STANDBYS);
        this.listeners = p.listeners();
        this.jmxEnabled = p.bool(ReplicationProperty.JMX_ENABLED);
        this.jmxName = p.string(ReplicationProperty.JMX_NAME);
        this.tenancy = Tenancy.valueOf(p.choice(ReplicationProperty.TENANCY));
        this.tenancySchema = TenancySettings.pattern(p, ReplicationProperty.TENANCY_SCHEMA);
        this.tenancyDatabase = TenancySettings.pattern(p, ReplicationProperty.TENANCY_DATABASE);
        TenancySettings.check(p, tenancy, nodes);
    }

    /**
     * Parses and validates {@code replication.*} entries of the given map (other keys are ignored).
     *
     * @throws ReplicationConfigurationException naming the key, value and what is allowed
     */
    public static ReplicationConfig fromProperties(Map<?, ?> properties) {
        return new ReplicationConfig(new SettingsReader(properties));
    }

    /** A builder offering the same settings as the properties. */
    public static Builder builder() {
        return new Builder();
    }

    public NodeConfig primary() { return primary; }
    public List<NodeConfig> replicas() { return replicas; }
    /** Weight of the primary among read candidates; 0 when it only reads as a fallback. */
    public int primaryReadWeight() { return primaryReadWeight; }
    public String selector() { return selector; }
    public NoReplicaPolicy noReplicaPolicy() { return noReplicaPolicy; }
    public boolean readOnlySessionsOnReplica() { return readOnlySessionsOnReplica; }
    /** The global pool settings ({@code replication.pool.*}); a replica's own are in its {@link NodeConfig#pool()}. */
    public PoolSettings pool() { return pool; }
    public int poolMaxSize() { return pool.maxSize(); }
    public int poolMinIdle() { return pool.minIdle(); }
    public Duration poolConnectionTimeout() { return pool.connectionTimeout(); }
    public Duration poolIdleTimeout() { return pool.idleTimeout(); }
    public Duration poolMaxLifetime() { return pool.maxLifetime(); }
    /** HikariCP properties passed through (a copy). */
    public Properties hikari() {
        Properties copy = new Properties();
        copy.putAll(hikari);
        return copy;
    }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration monitorInterval() { return monitorInterval; }
    public Duration monitorTimeout() { return monitorTimeout; }
    public Duration maxLag() { return maxLag; }
    public long maxLagBytes() { return maxLagBytes; }
    public int readmitAfter() { return readmitAfter; }
    public boolean retryReads() { return retryReads; }
    public ConsistencyMode consistency() { return consistency; }
    public Duration consistencyWaitTimeout() { return consistencyWaitTimeout; }
    public FailoverMode failover() { return failover; }
    public int failoverPrimaryFailures() { return failoverPrimaryFailures; }
    public Duration failoverPromoteTimeout() { return failoverPromoteTimeout; }
    /** Most bytes of WAL a standby may lack (against the last primary position seen) to be promoted; 0 no limit. */
    public long failoverMaxLagBytes() { return failoverMaxLagBytes; }

    /** {@code replication.failover.repoint-standbys}: point standbys of an old primary at the new one. */
    public boolean failoverRepointStandbys() { return failoverRepointStandbys; }

    /** Where the nodes come from ({@code replication.topology}). */
    public Topology topology() { return topology; }
    /** How the application's customers combine with the nodes. */
    public Tenancy tenancy() { return tenancy; }
    /** The schema pattern of {@link Tenancy#SCHEMA}, with {@code {tenant}}. */
    public String tenancySchema() { return tenancySchema; }
    /** The database pattern of {@link Tenancy#DATABASE}, with {@code {tenant}}. */
    public String tenancyDatabase() { return tenancyDatabase; }

    /**
     * The Patroni REST API addresses ({@code replication.patroni.urls}); empty unless the topology is
     * {@link Topology#PATRONI}.
     */
    public List<URI> patroniUrls() { return patroniUrls; }
    /** Class names of the {@code RoutingListener}s to register at startup (validated: loadable, public no-arg constructor). */
    public List<String> listeners() { return listeners; }
    public boolean jmxEnabled() { return jmxEnabled; }
    /** The configured MXBean name, or {@code null} for the default (host:port/database of the primary). */
    public String jmxName() { return jmxName; }

    /** Every node, primary first. */
    public List<NodeConfig> nodes() {
        List<NodeConfig> all = new ArrayList<>(replicas.size() + 1);
        all.add(primary);
        all.addAll(replicas);
        return all;
    }

    @Override
    public String toString() {
        return "ReplicationConfig[primary=" + primary + ", replicas=" + replicas + ", selector=" + selector
                + ", noReplica=" + noReplicaPolicy + ", consistency=" + consistency + ", failover=" + failover
                + ", maxLag=" + maxLag + ", maxLagBytes=" + maxLagBytes + ", monitorInterval=" + monitorInterval + "]";
    }

    /**
     * Programmatic configuration with the same keys and validation as persistence.xml.
     * {@link #toProperties()} gives the map to hand to
     * {@code Persistence.createEntityManagerFactory(unit, map)}; it includes the Hibernate
     * multi-tenancy wiring. Passwords are held as {@link Secret}s, so that map never shows them
     * (Hibernate prints its settings at DEBUG). Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();
        private final List<String> replicaNames = new ArrayList<>();

        private Builder() {
        }

        public Builder primary(String jdbcUrl) {
            return set(ReplicationProperty.PRIMARY_URL.key(), jdbcUrl);
        }

        public Builder primary(String jdbcUrl, String user, String password) {
            set(ReplicationProperty.PRIMARY_USER.key(), user);
            set(ReplicationProperty.PRIMARY_PASSWORD.key(), password);
            return primary(jdbcUrl);
        }

        /**
         * Default credentials for every node. To name where the password lives instead, use
         * {@code set(ReplicationProperty.PASSWORD_ENV, "DB_PASSWORD")} or
         * {@code set(ReplicationProperty.PASSWORD_FILE, "/run/secrets/db")}.
         */
        public Builder credentials(String user, String password) {
            set(ReplicationProperty.USER.key(), user);
            return set(ReplicationProperty.PASSWORD.key(), password);
        }

        /**
         * The primary's connections come from {@code dataSource}, which the application or container
         * owns (and, in a container, enlists in JTA); instead of a URL.
         */
        public Builder primary(DataSource dataSource) {
            values.put(ReplicationProperty.PRIMARY_DATASOURCE.key(), dataSource);
            return this;
        }

        /** Replica {@code name}'s connections come from {@code dataSource}; instead of a URL. */
        public Builder replica(String name, DataSource dataSource) {
            replicaNames.add(name);
            values.put(ReplicationProperty.REPLICAS.key(), String.join(",", replicaNames));
            values.put(ReplicationProperty.REPLICA_DATASOURCE.key(name), dataSource);
            return this;
        }

        /** Lets the primary take a share of reads beside the replicas (0, the default: fallback only). */
        public Builder primaryReadWeight(int weight) {
            return set(ReplicationProperty.PRIMARY_READ_WEIGHT.key(), String.valueOf(weight));
        }

        public Builder replica(String name, String jdbcUrl) {
            return replica(name, jdbcUrl, 1);
        }

        public Builder replica(String name, String jdbcUrl, int weight) {
            replicaNames.add(name);
            values.put(ReplicationProperty.REPLICAS.key(), String.join(",", replicaNames));
            set(ReplicationProperty.REPLICA_URL.key(name), jdbcUrl);
            return set(ReplicationProperty.REPLICA_WEIGHT.key(name), String.valueOf(weight));
        }

        public Builder replica(String name, String jdbcUrl, String user, String password, int weight) {
            set(ReplicationProperty.REPLICA_USER.key(name), user);
            set(ReplicationProperty.REPLICA_PASSWORD.key(name), password);
            return replica(name, jdbcUrl, weight);
        }

        /** Sets any setting by its {@link ReplicationProperty}. */
        public Builder set(ReplicationProperty property, Object value) {
            return set(property.key(), value);
        }

        /**
         * Sets any {@code replication.*} key (validated on {@link #build()}); the value of a
         * password key is kept as a {@link Secret}.
         */
        public Builder set(String key, Object value) {
            if (value == null) {
                values.remove(key);
            } else if (value instanceof Secret || isSecret(key)) {
                values.put(key, value instanceof Secret s ? s : Secret.of(String.valueOf(value)));
            } else if (value instanceof DataSource) {
                values.put(key, value);
            } else {
                values.put(key, value instanceof Duration d ? d.toMillis() + "ms" : String.valueOf(value));
            }
            return this;
        }

        private static boolean isSecret(String key) {
            return ReplicationProperty.forKey(key).map(p -> p.type() == ReplicationProperty.Type.SECRET).orElse(false);
        }

        /** Validates and builds. */
        public ReplicationConfig build() {
            return fromProperties(values);
        }

        /**
         * Validated settings plus {@code hibernate.multi_tenant_connection_provider} and
         * {@code hibernate.tenant_identifier_resolver}, ready for
         * {@code Persistence.createEntityManagerFactory}.
         */
        public Map<String, Object> toProperties() {
            build();
            Map<String, Object> map = new LinkedHashMap<>(values);
            map.put("hibernate.multi_tenant_connection_provider",
                    "dev.replication.hibernate.ReplicationConnectionProvider");
            map.put("hibernate.tenant_identifier_resolver", "dev.replication.hibernate.ReplicationTenantResolver");
            return map;
        }
    }
}
