package dev.replication.demo;

import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.cdi.ReplicationLag;
import dev.replication.cdi.RequestConsistency;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.control.RequestContextController;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import static dev.replication.demo.Demo.setIfAbsent;
import static dev.replication.demo.Waits.await;

/**
 * The booted application: Weld SE + Hibernate from {@code META-INF/persistence.xml} (unit
 * {@code demo}) with the demo's monitor and consistency tuning, the {@link Bank} service, the
 * library's {@link ReplicationLag} view and the {@link Recorder} listening to every routing decision.
 * {@link #inRequest} may be called from several threads at once.
 */
final class DemoApp implements AutoCloseable {

    private final DemoCluster cluster;
    private final WeldContainer weld;
    private final Bank bank;
    private final ReplicationLag lag;
    private final Recorder recorder;

    private DemoApp(DemoCluster cluster, WeldContainer weld) {
        this.cluster = cluster;
        this.weld = weld;
        this.bank = weld.select(Bank.class).get();
        Replication replication = weld.select(Replication.class, Routed.Literal.INSTANCE).get();
        this.lag = weld.select(ReplicationLag.class).get();
        this.recorder = new Recorder(cluster.primaryName());
        replication.addListener(recorder);
    }

    /** Boots Weld SE + Hibernate on {@code cluster}, whose node properties are already set. */
    static DemoApp boot(DemoCluster cluster) {
        // the demo's tuning, so that the monitor reacts within a second or two; -D on the command line wins
        setIfAbsent("replication.monitor.interval", "500ms");
        setIfAbsent("replication.monitor.timeout", "400ms");
        setIfAbsent("replication.max-lag", "2s");
        setIfAbsent("replication.readmit-after", "3");
        setIfAbsent("replication.consistency", "wait");
        setIfAbsent("replication.consistency.wait-timeout", "1s");
        setIfAbsent("dev.replication.cdi.persistence-unit", "demo");
        WeldContainer weld = null;
        DemoApp app;
        try (Console.Progress p = Console.progress("booting Weld SE + Hibernate from META-INF/persistence.xml (unit 'demo')")) {
            weld = new Weld().initialize();
            app = new DemoApp(cluster, weld);
        } catch (RuntimeException | Error e) {
            closeWeld(weld);
            throw e;
        }
        Console.line("    monitor every %s, max lag %s, readmit after %s good checks, read-after-write %s (wait up to %s)%s",
                System.getProperty("replication.monitor.interval"), System.getProperty("replication.max-lag"),
                System.getProperty("replication.readmit-after"), System.getProperty("replication.consistency"),
                System.getProperty("replication.consistency.wait-timeout"),
                cluster.injectsFaults() ? ", failover " + System.getProperty("replication.failover") : "");
        return app;
    }

    /** Waits until the replicas replayed the schema and the monitor admits them (up to 20 s; says so if not). */
    void awaitReplicasUsable() {
        try (Console.Progress p = Console.progress("waiting until the replicas replayed the schema and the monitor admits them")) {
            awaitCaughtUp();
            boolean ok = await(Duration.ofSeconds(20), () -> {
                lag.checkNow();
                return cluster.replicaNames().stream().allMatch(r -> lag.status().node(r).map(NodeStatus::usable).orElse(false));
            });
            p.result(ok ? "all replicas usable" : "NOT all replicas usable: " + lag.status().describe());
        }
    }

    Bank bank() {
        return bank;
    }

    ReplicationLag lag() {
        return lag;
    }

    Recorder recorder() {
        return recorder;
    }

    /** Runs {@code work} in a fresh CDI request (one routing scope, one consistency token). */
    <T> T inRequest(Supplier<T> work) {
        RequestContextController rc = weld.select(RequestContextController.class).get();
        rc.activate();
        try {
            return work.get();
        } finally {
            rc.deactivate();
        }
    }

    /** The current request's consistency token (the primary's WAL position after its last write). */
    Optional<String> requestToken() {
        return weld.select(RequestConsistency.class).get().token();
    }

    /** Waits until every replica replayed all the primary's WAL (on an existing cluster: up to 10 s, by the monitor's lag). */
    void awaitCaughtUp() {
        if (cluster.injectsFaults()) {
            cluster.embedded().awaitReplicated(Duration.ofSeconds(30));
        } else {
            await(Duration.ofSeconds(10), () -> {
                lag.checkNow();
                return cluster.replicaNames().stream().allMatch(r -> lag.lagBytes(r).orElse(-1) == 0);
            });
        }
    }

    @Override
    public void close() {
        closeWeld(weld);
    }

    private static void closeWeld(WeldContainer weld) {
        if (weld != null) {
            try {
                weld.close();
            } catch (RuntimeException e) {
                Console.line("    (closing Weld: " + e + ")");
            }
        }
    }
}
