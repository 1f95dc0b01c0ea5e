package dev.replication.hibernate.internal;

import dev.replication.ReplicationProperty;
import dev.replication.internal.Log;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What the connection provider reads from the persistence unit's settings before it starts. */
public final class UnitSettings {
    public static final String DIALECT = "hibernate.dialect";
    private static final String METADATA_ACCESS = "hibernate.boot.allow_jdbc_metadata_access";

    private UnitSettings() {
    }

    /**
     * Hibernate reads JDBC metadata at boot through {@code getAnyConnection()} unless told not to
     * ({@code hibernate.boot.allow_jdbc_metadata_access=false}), and cannot choose a dialect without
     * it unless {@code hibernate.dialect} is set; if it gets no connection it only logs a warning.
     */
    public static boolean needsJdbcMetadata(Map<String, Object> settings) {
        Object access = settings.get(METADATA_ACCESS);
        Object dialect = settings.get(DIALECT);
        return !"false".equalsIgnoreCase(String.valueOf(access).trim())
                && (dialect == null || String.valueOf(dialect).isBlank());
    }

    /**
     * Hibernate merges every system property into the settings. An unknown {@code replication.*}
     * key that only comes from there (for instance another component's own setting) is ignored
     * with a warning; unknown keys in the persistence unit still fail.
     */
    public static Map<String, Object> withoutForeignSystemProperties(Map<String, Object> settings) {
        Map<String, Object> own = new LinkedHashMap<>(settings);
        own.keySet().removeIf(k -> {
            boolean foreign = k.startsWith(ReplicationProperty.PREFIX)
                    && ReplicationProperty.forKey(k).isEmpty()
                    && Objects.equals(String.valueOf(settings.get(k)), System.getProperty(k));
            if (foreign) {
                Log.LOG.ignoredSystemProperty(k);
            }
            return foreign;
        });
        return own;
    }
}
