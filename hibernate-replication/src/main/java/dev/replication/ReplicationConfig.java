package dev.replication;

import dev.replication.internal.Durations;
import dev.replication.internal.Secrets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

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

    /** How a failed primary is handled. */
    public enum FailoverMode { MANUAL, PROMOTE, DISCOVER }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private final NodeConfig primary;
    private final List<NodeConfig> replicas;
    private final int primaryReadWeight;
    private final String selector;
    private final NoReplicaPolicy noReplicaPolicy;
    private final boolean readOnlySessionsOnReplica;
    private final int poolMaxSize;
    private final int poolMinIdle;
    private final Duration poolConnectionTimeout;
    private final Duration poolIdleTimeout;
    private final Duration poolMaxLifetime;
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
    private final List<String> listeners;
    private final boolean jmxEnabled;
    private final String jmxName;

    private ReplicationConfig(Parser p) {
        String defaultUser = p.string(ReplicationProperty.USER);
        String defaultPassword = p.string(ReplicationProperty.PASSWORD);
        String primaryName = p.name(ReplicationProperty.PRIMARY_NAME);
        this.primary = new NodeConfig(primaryName, p.requiredUrl(ReplicationProperty.PRIMARY_URL.key()),
                coalesce(p.string(ReplicationProperty.PRIMARY_USER), defaultUser),
                coalesce(p.string(ReplicationProperty.PRIMARY_PASSWORD), defaultPassword), 1);
        List<NodeConfig> rs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        seen.add(primaryName);
        for (String name : p.names(ReplicationProperty.REPLICAS)) {
            if (!seen.add(name)) {
                throw p.bad(ReplicationProperty.REPLICAS.key(), p.raw(ReplicationProperty.REPLICAS.key()),
                        "names that are unique and differ from the primary's name '" + primaryName
                                + "' (duplicate: '" + name + "')");
            }
            rs.add(new NodeConfig(name,
                    p.requiredUrl(ReplicationProperty.REPLICA_URL.key(name)),
                    coalesce(p.string(ReplicationProperty.REPLICA_USER.key(name)), defaultUser),
                    coalesce(p.string(ReplicationProperty.REPLICA_PASSWORD.key(name)), defaultPassword),
                    p.intValue(ReplicationProperty.REPLICA_WEIGHT.key(name), ReplicationProperty.REPLICA_WEIGHT, 1)));
        }
        this.replicas = List.copyOf(rs);
        this.primaryReadWeight = p.intValue(ReplicationProperty.PRIMARY_READ_WEIGHT);
        p.rejectUnknown(seen);
        this.selector = p.selector();
        this.noReplicaPolicy = NoReplicaPolicy.valueOf(p.choice(ReplicationProperty.NO_REPLICA));
        this.readOnlySessionsOnReplica = p.choice(ReplicationProperty.READ_ONLY_SESSIONS).equals("REPLICA");
        this.poolMaxSize = p.intValue(ReplicationProperty.POOL_MAX_SIZE);
        this.poolMinIdle = p.intValue(ReplicationProperty.POOL_MIN_IDLE);
        if (poolMinIdle > poolMaxSize) {
            throw p.bad(ReplicationProperty.POOL_MIN_IDLE.key(), String.valueOf(poolMinIdle),
                    "a value <= replication.pool.max-size (" + poolMaxSize + ")");
        }
        this.poolConnectionTimeout = p.duration(ReplicationProperty.POOL_CONNECTION_TIMEOUT);
        if (poolConnectionTimeout.toMillis() < 250) {
            throw p.bad(ReplicationProperty.POOL_CONNECTION_TIMEOUT.key(), p.raw(ReplicationProperty.POOL_CONNECTION_TIMEOUT.key()),
                    "at least 250ms (HikariCP's minimum)");
        }
        this.poolIdleTimeout = p.duration(ReplicationProperty.POOL_IDLE_TIMEOUT);
        this.poolMaxLifetime = p.duration(ReplicationProperty.POOL_MAX_LIFETIME);
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
        this.failover = FailoverMode.valueOf(p.choice(ReplicationProperty.FAILOVER));
        this.failoverPrimaryFailures = p.intValue(ReplicationProperty.FAILOVER_PRIMARY_FAILURES);
        this.failoverPromoteTimeout = p.duration(ReplicationProperty.FAILOVER_PROMOTE_TIMEOUT);
        this.listeners = p.listeners();
        this.jmxEnabled = p.bool(ReplicationProperty.JMX_ENABLED);
        this.jmxName = p.string(ReplicationProperty.JMX_NAME);
    }

    /**
     * Parses and validates {@code replication.*} entries of the given map (other keys are ignored).
     *
     * @throws ReplicationConfigurationException naming the key, value and what is allowed
     */
    public static ReplicationConfig fromProperties(Map<?, ?> properties) {
        return new ReplicationConfig(new Parser(properties));
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
    public int poolMaxSize() { return poolMaxSize; }
    public int poolMinIdle() { return poolMinIdle; }
    public Duration poolConnectionTimeout() { return poolConnectionTimeout; }
    public Duration poolIdleTimeout() { return poolIdleTimeout; }
    public Duration poolMaxLifetime() { return poolMaxLifetime; }
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

    private static String coalesce(String a, String b) {
        return a != null ? a : b;
    }

    /**
     * Programmatic configuration with the same keys and validation as persistence.xml.
     * {@link #toProperties()} gives the map to hand to
     * {@code Persistence.createEntityManagerFactory(unit, map)}; it includes the Hibernate
     * multi-tenancy wiring.
     */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();
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

        /** Default credentials for every node. */
        public Builder credentials(String user, String password) {
            set(ReplicationProperty.USER.key(), user);
            return set(ReplicationProperty.PASSWORD.key(), password);
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

        /** Sets any {@code replication.*} key (validated on {@link #build()}). */
        public Builder set(String key, Object value) {
            if (value == null) {
                values.remove(key);
            } else {
                values.put(key, value instanceof Duration d ? d.toMillis() + "ms" : String.valueOf(value));
            }
            return this;
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

    /** Reads raw values; every failure names the key, the value and what is allowed. */
    private static final class Parser {
        private final Map<String, String> raw = new LinkedHashMap<>();

        Parser(Map<?, ?> properties) {
            Objects.requireNonNull(properties, "properties");
            properties.forEach((k, v) -> {
                if (k instanceof String key && key.toLowerCase(Locale.ROOT).startsWith(ReplicationProperty.PREFIX)
                        && v != null) {
                    raw.put(key, String.valueOf(v).trim());
                }
            });
        }

        String raw(String key) {
            return raw.get(key);
        }

        ReplicationConfigurationException bad(String key, String value, String allowed) {
            boolean secret = ReplicationProperty.forKey(key).map(p -> p.type() == ReplicationProperty.Type.SECRET)
                    .orElse(false);
            String shown = secret ? "<hidden>" : "'" + (key.endsWith(".url") ? Secrets.maskUrl(value) : value) + "'";
            return new ReplicationConfigurationException(
                    "Invalid value " + shown + " for '" + key + "': expected " + allowed);
        }

        String string(ReplicationProperty p) {
            return string(p.key());
        }

        String string(String key) {
            String v = raw.get(key);
            return v == null || v.isEmpty() ? null : v;
        }

        private String valueOrDefault(String key, ReplicationProperty p) {
            String v = string(key);
            return v != null ? v : p.defaultValue();
        }

        String name(ReplicationProperty p) {
            String v = valueOrDefault(p.key(), p);
            if (!NAME.matcher(v).matches()) {
                throw bad(p.key(), v, p.allowed());
            }
            return v;
        }

        List<String> names(ReplicationProperty p) {
            String v = valueOrDefault(p.key(), p);
            List<String> names = new ArrayList<>();
            for (String part : v.split(",")) {
                String n = part.trim();
                if (n.isEmpty()) {
                    continue;
                }
                if (!NAME.matcher(n).matches()) {
                    throw bad(p.key(), v, p.allowed());
                }
                names.add(n);
            }
            return names;
        }

        String requiredUrl(String key) {
            String v = string(key);
            if (v == null) {
                throw new ReplicationConfigurationException("Missing required setting '" + key
                        + "': expected " + ReplicationProperty.Type.JDBC_URL.allowed());
            }
            if (!v.startsWith("jdbc:postgresql://")) {
                throw bad(key, v, ReplicationProperty.Type.JDBC_URL.allowed());
            }
            return v;
        }

        int intValue(ReplicationProperty p) {
            return intValue(p.key(), p, p.type() == ReplicationProperty.Type.POSITIVE_INT ? 1 : 0);
        }

        int intValue(String key, ReplicationProperty p, int min) {
            String v = valueOrDefault(key, p);
            try {
                int i = Integer.parseInt(v);
                if (i >= min) {
                    return i;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw bad(key, v, p.allowed());
        }

        long longValue(ReplicationProperty p) {
            String v = valueOrDefault(p.key(), p);
            try {
                long l = Long.parseLong(v);
                if (l >= 0) {
                    return l;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw bad(p.key(), v, p.allowed());
        }

        boolean bool(ReplicationProperty p) {
            String v = valueOrDefault(p.key(), p).toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            throw bad(p.key(), v, p.allowed());
        }

        Duration duration(ReplicationProperty p) {
            String v = valueOrDefault(p.key(), p);
            return Durations.parse(v).orElseThrow(() -> bad(p.key(), v, p.allowed()));
        }

        String choice(ReplicationProperty p) {
            String v = valueOrDefault(p.key(), p);
            String lower = v.toLowerCase(Locale.ROOT);
            if (p.choices().contains(lower)) {
                return lower.toUpperCase(Locale.ROOT);
            }
            throw bad(p.key(), v, p.allowed());
        }

        private static ClassLoader loader() {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            return context != null ? context : ReplicationConfig.class.getClassLoader();
        }

        String selector() {
            ReplicationProperty p = ReplicationProperty.SELECTOR;
            String v = valueOrDefault(p.key(), p);
            String lower = v.toLowerCase(Locale.ROOT);
            if (List.of("round-robin", "random", "least-loaded", "weighted", "lowest-lag").contains(lower)) {
                return lower;
            }
            if (v.contains(".")) {
                try {
                    Class<?> c = Class.forName(v, false, loader());
                    if (dev.replication.spi.ReplicaSelector.class.isAssignableFrom(c)) {
                        return v;
                    }
                    throw bad(p.key(), v, "a class implementing dev.replication.spi.ReplicaSelector, or " + p.allowed());
                } catch (ClassNotFoundException e) {
                    throw bad(p.key(), v, "a class on the classpath (not found), or " + p.allowed());
                }
            }
            throw bad(p.key(), v, p.allowed());
        }

        List<String> listeners() {
            ReplicationProperty p = ReplicationProperty.LISTENERS;
            String v = valueOrDefault(p.key(), p);
            List<String> names = new ArrayList<>();
            for (String part : v.split(",")) {
                String n = part.trim();
                if (n.isEmpty()) {
                    continue;
                }
                try {
                    Class<?> c = Class.forName(n, false, loader());
                    if (!dev.replication.spi.RoutingListener.class.isAssignableFrom(c)) {
                        throw bad(p.key(), v, "classes implementing dev.replication.spi.RoutingListener ('" + n
                                + "' does not)");
                    }
                    c.getConstructor();
                    if (!java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
                        throw new NoSuchMethodException();
                    }
                } catch (ClassNotFoundException e) {
                    throw bad(p.key(), v, p.allowed() + " on the classpath ('" + n + "' not found)");
                } catch (NoSuchMethodException e) {
                    throw bad(p.key(), v, "public classes with a public no-arg constructor ('" + n + "' is not one)");
                }
                names.add(n);
            }
            return List.copyOf(names);
        }

        Properties hikari() {
            Properties props = new Properties();
            String prefix = "replication.hikari.";
            raw.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    props.setProperty(k.substring(prefix.length()), v);
                }
            });
            return props;
        }

        void rejectUnknown(Set<String> nodeNames) {
            for (String key : raw.keySet()) {
                var property = ReplicationProperty.forKey(key);
                boolean known = property.isPresent();
                if (known && key.startsWith("replication.replica.") && property.get() != ReplicationProperty.HIKARI) {
                    String name = key.substring("replication.replica.".length(), key.lastIndexOf('.'));
                    if (!nodeNames.contains(name)) {
                        throw new ReplicationConfigurationException("Setting '" + key + "' names replica '" + name
                                + "', which is not listed in 'replication.replicas' (listed: "
                                + (nodeNames.size() <= 1 ? "none" : String.join(", ",
                                        nodeNames.stream().skip(1).toList())) + ")");
                    }
                }
                if (!known) {
                    throw new ReplicationConfigurationException("Unknown setting '" + key + "'"
                            + nearest(key).map(s -> "; did you mean '" + s + "'?").orElse("")
                            + " Every key is listed in dev.replication.ReplicationProperty and the README.");
                }
            }
        }

        private static java.util.Optional<String> nearest(String key) {
            return java.util.Arrays.stream(ReplicationProperty.values())
                    .map(ReplicationProperty::key)
                    .min(Comparator.comparingInt(k -> distance(k, key)))
                    .filter(k -> distance(k, key) <= Math.max(3, key.length() / 4));
        }

        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }
    }
}
