package dev.replication.testkit.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clusters of this JVM that are not closed yet, and the one JVM shutdown hook that closes
 * them (best effort). Thread-safe.
 */
public final class LiveClusters {
    private static final Set<AutoCloseable> LIVE = ConcurrentHashMap.newKeySet();
    private static boolean hookInstalled;

    private LiveClusters() {
    }

    /**
     * Registers a cluster, installing the shutdown hook on first use.
     *
     * @param cluster a started or starting cluster
     */
    public static void add(AutoCloseable cluster) {
        installHook();
        LIVE.add(cluster);
    }

    /** @param cluster a closed cluster */
    public static void remove(AutoCloseable cluster) {
        LIVE.remove(cluster);
    }

    private static synchronized void installHook() {
        if (hookInstalled) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable c : LIVE) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort at JVM exit
                }
            }
        }, "hibernate-replication-testkit-shutdown"));
        hookInstalled = true;
    }
}
