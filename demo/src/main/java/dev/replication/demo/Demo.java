package dev.replication.demo;

import java.io.InputStream;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The runnable demo: an embedded primary + 2 streaming replicas ({@link DemoCluster}), Weld SE +
 * Hibernate booted from {@code META-INF/persistence.xml} ({@link DemoApp}), and the {@link Bank}
 * application driven through the {@link #STEPS} in order, each printing what happened and on which
 * node, then the {@link Summary}. Exit code 0 when every step behaved as described, 1 otherwise, 2
 * when the demo could not run at all.
 * <p>
 * With {@code -Ddemo.primary=jdbc:postgresql://... -Ddemo.replicas=jdbc:...,jdbc:... -Ddemo.user=...
 * -Ddemo.password=...} it runs against an existing cluster instead and skips fault injection.
 */
public final class Demo {

    private static final List<Step> STEPS = List.of(
            new WritesStep(),
            new ReadsStep(),
            new LagExclusionStep(),
            new ReadYourWritesStep(),
            new ReplicaKillStep(),
            new PrimaryKillStep());

    private static final Logger LIBRARY_LOG = Logger.getLogger("dev.replication");

    public static void main(String[] args) {
        configureLogging();
        int rc;
        try {
            rc = new Demo().run();
        } catch (Throwable t) {
            Console.line("DEMO ABORTED: " + t);
            rc = 2;
        }
        System.exit(rc);
    }

    private static void configureLogging() {
        System.setProperty("org.jboss.logging.provider", "jdk");
        if (System.getProperty("java.util.logging.config.file") != null) {
            return; // the user's own JUL configuration
        }
        try (InputStream in = Demo.class.getResourceAsStream("/demo-logging.properties")) {
            LogManager.getLogManager().readConfiguration(in);
        } catch (Exception e) {
            System.err.println("demo: cannot configure logging: " + e);
        }
        String library = System.getProperty("demo.log.library"); // e.g. INFO: the library's own log lines too
        if (library != null) {
            LIBRARY_LOG.setLevel(Level.parse(library));
            for (Handler h : Logger.getLogger("").getHandlers()) {
                h.setLevel(Level.ALL);
            }
        }
    }

    /** Runs the whole scenario; 0 when every step behaved as described, 1 otherwise. */
    int run() throws Exception {
        long t0 = System.nanoTime();
        Console.line("hibernate-replication demo: accounts and orders on a PostgreSQL primary + streaming replicas");
        Console.line("");
        Summary summary = new Summary();
        try (DemoCluster cluster = DemoCluster.open()) {
            cluster.configure();
            try (DemoApp app = DemoApp.boot(cluster)) {
                app.awaitReplicasUsable();
                Scenario scenario = new Scenario(cluster, app, summary);
                for (Step step : STEPS) {
                    summary.add(step.execute(scenario));
                }
                summary.print(app);
            }
        }
        boolean ok = summary.allPassed();
        Console.line("");
        Console.line("%s in %.1f s (exit code %d)", ok ? "ALL STEPS PASSED" : "SOME STEPS FAILED",
                (System.nanoTime() - t0) / 1e9, ok ? 0 : 1);
        return ok ? 0 : 1;
    }

    /** Sets a system property unless it is set already: a {@code -D} on the command line wins over the demo's value. */
    static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
