package dev.replication.internal.config;

import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationProperty;
import dev.replication.Secret;
import dev.replication.internal.Durations;
import dev.replication.internal.Secrets;
import dev.replication.spi.ReplicaSelector;
import dev.replication.spi.RoutingListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads typed {@code replication.*} values from a property map. Every failure is a
 * {@link ReplicationConfigurationException} naming the key, the value (never a secret's) and what
 * is allowed. Not thread-safe; used once per configuration.
 */
public final class SettingsReader {
    /** Node names are tenant ids, MXBean keys and parts of keys: {@code [A-Za-z0-9_-]}, at most 63 characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}");

    private final Map<String, String> raw = new LinkedHashMap<>();
    /** Values given as objects that are not text (data sources), by key. */
    private final Map<String, Object> objects = new LinkedHashMap<>();
    private final Function<String, String> environment;

    /** Keeps the {@code replication.*} entries of {@code properties}; environment variables from the process. */
    public SettingsReader(Map<?, ?> properties) {
        this(properties, System::getenv);
    }

    /**
     * Keeps the {@code replication.*} entries of {@code properties}, text values trimmed and
     * {@link Secret}s unwrapped as they are.
     *
     * @param environment looks up an environment variable by name ({@code null} when not set)
     */
    public SettingsReader(Map<?, ?> properties, Function<String, String> environment) {
        Objects.requireNonNull(properties, "properties");
        this.environment = Objects.requireNonNull(environment, "environment");
        properties.forEach((k, v) -> {
            if (k instanceof String key && key.toLowerCase(Locale.ROOT).startsWith(ReplicationProperty.PREFIX)
                    && v != null) {
                raw.put(key, v instanceof Secret secret ? secret.value() : String.valueOf(v).trim());
                if (!(v instanceof CharSequence) && !(v instanceof Secret) && !(v instanceof Number)
                        && !(v instanceof Boolean)) {
                    objects.put(key, v);
                }
            }
        });
    }

    /** The environment variable {@code name}, or {@code null} when it is not set. */
    String env(String name) {
        return environment.apply(name);
    }

    /** Whether {@code key} is given at all, even with an empty value. */
    boolean present(String key) {
        return raw.containsKey(key);
    }

    /** The value as given when it is an object rather than text (such as a DataSource), or {@code null}. */
    public Object object(String key) {
        return objects.get(key);
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

    String valueOrDefault(String key, ReplicationProperty p) {
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

    /** A comma-separated list of node names; an empty entry ({@code r1,,r2}) fails. */
    public List<String> names(ReplicationProperty p) {
        String v = valueOrDefault(p.key(), p);
        List<String> names = new ArrayList<>();
        for (String n : entries(p, v)) {
            if (!NAME.matcher(n).matches()) {
                throw bad(p.key(), v, p.allowed() + " ('" + n + "' is not one)");
            }
            names.add(n);
        }
        return names;
    }

    /** The trimmed entries of a comma-separated value; none for a blank value, an error for an empty entry. */
    public List<String> entries(ReplicationProperty p, String v) {
        if (v.isBlank()) {
            return List.of();
        }
        List<String> entries = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String n = part.trim();
            if (n.isEmpty()) {
                throw bad(p.key(), v, p.allowed() + ", without empty entries");
            }
            entries.add(n);
        }
        return entries;
    }

    /** A required PostgreSQL JDBC URL without a password in it. */
    public String requiredUrl(String key) {
        String v = string(key);
        if (v == null) {
            throw new ReplicationConfigurationException("Missing required setting '" + key
                    + "': expected " + ReplicationProperty.Type.JDBC_URL.allowed() + Passwords.placeholderNote(this, key));
        }
        Passwords.rejectInUrl(key, v);
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
        return bool(p.key(), p);
    }

    /** {@code true} or {@code false}, any case, of a concrete (per-replica) key. */
    public boolean bool(String key, ReplicationProperty p) {
        String v = valueOrDefault(key, p).toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw bad(key, v, p.allowed());
    }

    /** A duration in the syntax of {@link Durations}. */
    public Duration duration(ReplicationProperty p) {
        return duration(p.key(), p);
    }

    /** A duration of a concrete (per-replica) key; its default when absent. */
    public Duration duration(String key, ReplicationProperty p) {
        String v = valueOrDefault(key, p);
        return Durations.parse(v).orElseThrow(() -> bad(key, v, p.allowed()));
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

    /** A built-in selector name (lower case) or the name of a loadable {@link ReplicaSelector} class. */
    public String selector() {
        return ClassSettings.selector(this);
    }

    /** Names of loadable public {@link RoutingListener} classes with a public no-arg constructor. */
    public List<String> listeners() {
        return ClassSettings.listeners(this);
    }

    /** The {@code replication.hikari.*} entries without their prefix. */
    public Properties hikari() {
        Properties props = new Properties();
        String prefix = "replication.hikari.";
        raw.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                Passwords.rejectInPassThrough(k);
                props.setProperty(k.substring(prefix.length()), v);
            }
        });
        return props;
    }

    /** The node name in a per-replica key (names contain no dot). */
    private static String replicaName(String key) {
        String rest = key.substring("replication.replica.".length());
        return rest.substring(0, rest.indexOf('.'));
    }

    /**
     * Fails on an unknown key, a known key spelled in another case (it would be ignored), or a
     * per-replica key naming a node not in {@code nodeNames} (primary first).
     */
    public void rejectUnknown(List<String> nodeNames) {
        String replicaPrefix = "replication.replica.";
        for (String key : raw.keySet()) {
            ReplicationProperty p = ReplicationProperty.forKey(key).orElseThrow(() -> new ReplicationConfigurationException(
                    "Unknown setting '" + key + "'"
                            + KeySuggestions.nearest(key).map(s -> "; did you mean '" + s + "'?").orElse("")
                            + " Every key is listed in dev.replication.ReplicationProperty and the README."));
            String canonical;
            if (p == ReplicationProperty.HIKARI) {
                canonical = "replication.hikari." + key.substring("replication.hikari.".length());
            } else if (p.key().startsWith(replicaPrefix)) {
                canonical = p.key(replicaName(key));
            } else {
                canonical = p.key();
            }
            if (!key.equals(canonical)) {
                throw new ReplicationConfigurationException("Setting '" + key + "' differs from '" + canonical
                        + "' in case; keys are case-sensitive, so it would be ignored");
            }
            if (p.key().startsWith(replicaPrefix)) {
                String name = replicaName(key);
                if (!nodeNames.contains(name)) {
                    throw new ReplicationConfigurationException("Setting '" + key + "' names replica '" + name
                            + "', which is not listed in 'replication.replicas' (listed: "
                            + (nodeNames.size() <= 1 ? "none" : String.join(", ",
                                    nodeNames.stream().skip(1).toList())) + ")");
                }
            }
        }
    }
}
