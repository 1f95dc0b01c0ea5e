package dev.replication.cdi.internal;

import dev.replication.ReplicationConfigurationException;
import dev.replication.integration.spi.ReplicationIntegration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Which persistence unit to bootstrap, and the overrides taken from system properties. */
public final class PersistenceUnits {

    /**
     * System property naming the persistence unit; default: the only unit on the class path. Not
     * under {@code replication.}: Hibernate passes every system property to the core, which rejects
     * unknown {@code replication.*} keys.
     */
    public static final String UNIT_PROPERTY = "dev.replication.cdi.persistence-unit";

    private PersistenceUnits() {
    }

    /** The unit named by {@value #UNIT_PROPERTY}, or the only unit found in {@code META-INF/persistence.xml}. */
    public static String chooseUnit(ClassLoader loader) {
        String named = System.getProperty(UNIT_PROPERTY);
        if (named != null && !named.isBlank()) {
            return named.trim();
        }
        List<String> units = unitNames(loader);
        if (units.size() == 1) {
            return units.get(0);
        }
        throw new ReplicationConfigurationException("Missing value for '" + UNIT_PROPERTY + "': "
                + (units.isEmpty() ? "no persistence unit found in META-INF/persistence.xml"
                : "several persistence units found " + units + ", name the one to route")
                + " (or provide an EntityManagerFactory bean qualified @Routed)");
    }

    /** Names of every persistence unit in every {@code META-INF/persistence.xml} visible to {@code loader}. */
    public static List<String> unitNames(ClassLoader loader) {
        return ReplicationIntegration.persistenceUnitNames(loader);
    }

    /** System properties starting with {@code replication.}, {@code hibernate.} or {@code jakarta.persistence.}. */
    public static Map<String, Object> overrides() {
        Map<String, Object> map = new LinkedHashMap<>();
        Properties sys = System.getProperties();
        for (String k : sys.stringPropertyNames()) {
            if (k.startsWith("replication.") || k.startsWith("hibernate.") || k.startsWith("jakarta.persistence.")) {
                map.put(k, sys.getProperty(k));
            }
        }
        return map;
    }
}
