package dev.replication.internal.config;

import dev.replication.ReplicationProperty;
import dev.replication.spi.ReplicaSelector;
import dev.replication.spi.RoutingListener;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Settings that name classes: checked to be loadable and of the right kind at startup. */
final class ClassSettings {

    private ClassSettings() {
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ClassSettings.class.getClassLoader();
    }

    /** A built-in selector name (lower case) or the name of a loadable {@link ReplicaSelector} class. */
    static String selector(SettingsReader r) {
        ReplicationProperty p = ReplicationProperty.SELECTOR;
        String v = r.valueOrDefault(p.key(), p);
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
                throw r.bad(p.key(), v, "a class implementing dev.replication.spi.ReplicaSelector, or " + p.allowed());
            } catch (ClassNotFoundException e) {
                throw r.bad(p.key(), v, "a class on the classpath (not found), or " + p.allowed());
            }
        }
        throw r.bad(p.key(), v, p.allowed());
    }

    /** Names of loadable public {@link RoutingListener} classes with a public no-arg constructor. */
    static List<String> listeners(SettingsReader r) {
        ReplicationProperty p = ReplicationProperty.LISTENERS;
        String v = r.valueOrDefault(p.key(), p);
        List<String> names = new ArrayList<>();
        for (String n : r.entries(p, v)) {
            try {
                Class<?> c = Class.forName(n, false, loader());
                if (!RoutingListener.class.isAssignableFrom(c)) {
                    throw r.bad(p.key(), v, "classes implementing dev.replication.spi.RoutingListener ('" + n
                            + "' does not)");
                }
                c.getConstructor();
                if (!Modifier.isPublic(c.getModifiers())) {
                    throw new NoSuchMethodException();
                }
            } catch (ClassNotFoundException e) {
                throw r.bad(p.key(), v, p.allowed() + " on the classpath ('" + n + "' not found)");
            } catch (NoSuchMethodException e) {
                throw r.bad(p.key(), v, "public classes with a public no-arg constructor ('" + n + "' is not one)");
            }
            names.add(n);
        }
        return List.copyOf(names);
    }
}
