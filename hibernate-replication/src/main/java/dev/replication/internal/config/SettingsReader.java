package dev.replication.internal.config;

import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationProperty;
import dev.replication.internal.Durations;
import dev.replication.internal.Secrets;
import dev.replication.spi.ReplicaSelector;
import dev.replication.spi.RoutingListener;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads typed {@code replication.*} values from a property map. Every failure is a
 * {@link ReplicationConfigurationException} naming the key, the value (never a secret's) and what
 * is allowed. Not thread-safe; used once per configuration.
 */
public final class SettingsReader {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private final Map<String, String> raw = new LinkedHashMap<>();

    /** Keeps the {@code replication.*} entries of {@code properties}, values trimmed. */
    public SettingsReader(Map<?, ?> properties) {
        Objects.requireNonNull(properties, "properties");
        properties.forEach((k, v) -> {
            if (k instanceof String key && key.toLowerCase(Locale.ROOT).startsWith(ReplicationProperty.PREFIX)
                    && v != null) {
                raw.put(key, String.valueOf(v).trim());
            }
        });
    }

    /** The trimmed value as given, or {@code null}. */
    public String raw(String key) {
        return raw.get(key);
    }

    /** An error naming the key, the value (hidden for secrets, masked for URLs) and what is allowed. */
    public ReplicationConfigurationException bad(String key, String value, String allowed) {
        boolean secret = ReplicationProperty.forKey(key).map(p -> p.type() == ReplicationProperty.Type.SECRET)
                .orElse(false);
        String shown = secret ? "<hidden>" : "'" + (key.endsWith(".url") ? Secrets.maskUrl(value) : value) + "'";
        return new ReplicationConfigurationException(
                "Invalid value " + shown + " for '" + key + "': expected " + allowed);
    }

    /** The value, or {@code null} when absent or empty. */
    public String string(ReplicationProperty p) {
        return string(p.key());
    }

    /** The value of a concrete key, or {@code null} when absent or empty. */
    public String string(String key) {
        String v = raw.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    private String valueOrDefault(String key, ReplicationProperty p) {
        String v = string(key);
        return v != null ? v : p.defaultValue();
    }

    /** A node name (the value or the default). */
    public String name(ReplicationProperty p) {
        String v = valueOrDefault(p.key(), p);
        if (!NAME.matcher(v).matches()) {
            throw bad(p.key(), v, p.allowed());
        }
        return v;
    }

    /** A comma-separated list of node names. */
    public List<String> names(ReplicationProperty p) {
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

    /** A required PostgreSQL JDBC URL. */
    public String requiredUrl(String key) {
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

    /** A whole number within the range of the property's type. */
    public int intValue(ReplicationProperty p) {
        return intValue(p.key(), p, p.type() == ReplicationProperty.Type.POSITIVE_INT ? 1 : 0);
    }

    /** A whole number of a concrete (per-replica) key, at least {@code min}. */
    public int intValue(String key, ReplicationProperty p, int min) {
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

    /** A whole number >= 0. */
    public long longValue(ReplicationProperty p) {
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

    /** {@code true} or {@code false}, any case. */
    public boolean bool(ReplicationProperty p) {
        String v = valueOrDefault(p.key(), p).toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw bad(p.key(), v, p.allowed());
    }

    /** A duration in the syntax of {@link Durations}. */
    public Duration duration(ReplicationProperty p) {
        String v = valueOrDefault(p.key(), p);
        return Durations.parse(v).orElseThrow(() -> bad(p.key(), v, p.allowed()));
    }

    /** One of the property's choices, upper case (an enum constant name). */
    public String choice(ReplicationProperty p) {
        String v = valueOrDefault(p.key(), p);
        String lower = v.toLowerCase(Locale.ROOT);
        if (p.choices().contains(lower)) {
            return lower.toUpperCase(Locale.ROOT);
        }
        throw bad(p.key(), v, p.allowed());
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : SettingsReader.class.getClassLoader();
    }

    /** A built-in selector name (lower case) or the name of a loadable {@link ReplicaSelector} class. */
    public String selector() {
        ReplicationProperty p = ReplicationProperty.SELECTOR;
        String v = valueOrDefault(p.key(), p);
        String lower = v.toLowerCase(Locale.ROOT);
        if (List.of("round-robin", "random", "least-loaded", "weighted", "lowest-lag").contains(lower)) {
            return lower;
        }
        if (v.contains(".")) {
            try {
                Class<?> c = Class.forName(v, false, loader());
                if (ReplicaSelector.class.isAssignableFrom(c)) {
                    return v;
                }
                throw bad(p.key(), v, "a class implementing dev.replication.spi.ReplicaSelector, or " + p.allowed());
            } catch (ClassNotFoundException e) {
                throw bad(p.key(), v, "a class on the classpath (not found), or " + p.allowed());
            }
        }
        throw bad(p.key(), v, p.allowed());
    }

    /** Names of loadable public {@link RoutingListener} classes with a public no-arg constructor. */
    public List<String> listeners() {
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
                if (!RoutingListener.class.isAssignableFrom(c)) {
                    throw bad(p.key(), v, "classes implementing dev.replication.spi.RoutingListener ('" + n
                            + "' does not)");
                }
                c.getConstructor();
                if (!Modifier.isPublic(c.getModifiers())) {
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

    /** The {@code replication.hikari.*} entries without their prefix. */
    public Properties hikari() {
        Properties props = new Properties();
        String prefix = "replication.hikari.";
        raw.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                props.setProperty(k.substring(prefix.length()), v);
            }
        });
        return props;
    }

    /** Fails on an unknown key, or a per-replica key naming a node not in {@code nodeNames} (primary first). */
    public void rejectUnknown(Set<String> nodeNames) {
        for (String key : raw.keySet()) {
            Optional<ReplicationProperty> property = ReplicationProperty.forKey(key);
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
                        + KeySuggestions.nearest(key).map(s -> "; did you mean '" + s + "'?").orElse("")
                        + " Every key is listed in dev.replication.ReplicationProperty and the README.");
            }
        }
    }
}
