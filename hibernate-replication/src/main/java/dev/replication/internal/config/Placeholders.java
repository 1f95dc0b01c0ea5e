package dev.replication.internal.config;

import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationProperty;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.util.Map;

/**
 * Finds {@code replication.*} settings that persistence.xml gives as {@code ${...}} placeholders
 * and that reach the library empty or not at all. Hibernate resolves placeholders with system
 * properties only; when there is none it leaves an empty value, or (Hibernate 7) removes the
 * setting, so {@code replication.password=${env.DB_PASSWORD}} would silently mean "no password".
 */
public final class Placeholders {
    private static final String UNIT_NAME = "hibernate.persistenceUnitName";

    private Placeholders() {
    }

    /**
     * Fails when a {@code replication.*} property of the persistence unit named in
     * {@code settings} is a placeholder in persistence.xml and is missing or empty in
     * {@code settings}. Does nothing when the unit or its persistence.xml cannot be found or read
     * (Hibernate reports those itself).
     */
    public static void check(Map<String, ?> settings) {
        if (!(settings.get(UNIT_NAME) instanceof String unit)) {
            return;
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader loader = context != null ? context : Placeholders.class.getClassLoader();
        try {
            for (Element u : PersistenceXml.units(loader)) {
                if (unit.equals(u.getAttribute("name"))) {
                    checkUnit(u, unit, settings);
                }
            }
        } catch (IOException | SAXException | ParserConfigurationException e) {
            // not ours to report
        }
    }

    private static void checkUnit(Element u, String unit, Map<String, ?> settings) {
        NodeList properties = u.getElementsByTagNameNS("*", "property");
        for (int i = 0; i < properties.getLength(); i++) {
            Element p = (Element) properties.item(i);
            String key = p.getAttribute("name");
            Object given = settings.get(key);
            if (key.startsWith(ReplicationProperty.PREFIX) && p.getAttribute("value").contains("${")
                    && (given == null || given.toString().isEmpty())) {
                throw new ReplicationConfigurationException("Setting '" + key + "' of persistence unit '" + unit
                        + "' is a ${...} placeholder in persistence.xml and arrived " + (given == null ? "removed" : "empty")
                        + ". " + Passwords.PLACEHOLDER_RULE + ". For a password, name where it lives instead:"
                        + " 'replication.password-env' (an environment variable's name) or 'replication.password-file'"
                        + " (a file's path), or the per-node keys");
            }
        }
    }
}
