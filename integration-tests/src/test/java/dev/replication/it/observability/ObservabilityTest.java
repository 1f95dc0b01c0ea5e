package dev.replication.it.observability;

import dev.replication.ClusterStatus;
import dev.replication.ConsistencyScope;
import dev.replication.Intent;
import dev.replication.NoReplicaPolicy;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.Routing;
import dev.replication.RoutingDecision;
import dev.replication.RoutingOptions;
import dev.replication.RoutingScope;
import dev.replication.it.core.Account;
import dev.replication.it.core.Fixture;
import dev.replication.jmx.ClusterMXBean;
import dev.replication.jmx.NodeInfo;
import dev.replication.micrometer.ReplicationMetrics;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import dev.replication.testkit.PgNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Observability end to end on a dedicated cluster (it kills a replica): after a known sequence of
 * writes, reads, paused replicas and a killed replica, the Micrometer meters have exactly the
 * expected values, the MXBean reports what {@link Replication#status()} reports, and no log line
 * or exception message carries the configured password.
 * <p>
 * The monitor runs only when the test calls {@code checkNow()} ({@code replication.monitor.interval=0}),
 * so every state change happens at a known point and the counts are deterministic.
 */
@PgClusterTest(replicas = 2, password = ObservabilityTest.PASSWORD)
class ObservabilityTest {
    static final String PASSWORD = "S3cr3t-do-not-log";
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    /** Registered from configuration ({@code replication.listeners}). */
    public static final class CountingListener implements RoutingListener {
        static final AtomicInteger ROUTED = new AtomicInteger();

        @Override
        public void routed(RoutingDecision decision) {
            ROUTED.incrementAndGet();
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, Integer> expectedRouted = new TreeMap<>();
    private final List<String> exceptionMessages = new ArrayList<>();
    private Replication r;
    private long nextId = 1;

    @Test
    void metersMBeanAndLogsAfterAKnownSequence(PgCluster cluster) {
        try (LogCapture logs = new LogCapture()) {
            run(cluster, logs);
        }
    }

    private void run(PgCluster cluster, LogCapture logs) {
        PgNode r1 = cluster.replicas().get(0);
        PgNode r2 = cluster.replicas().get(1);
        String primary = "primary"; // the library's node name (tenant) of the primary
        String primaryPg = cluster.primary().name(); // the testkit's name of the same server
        String db = cluster.createDatabase("obs");
        EntityManagerFactory emf = Fixture.emf(cluster, db, Map.of(
                "replication.monitor.interval", "0",
                "replication.max-lag", "500ms",
                "replication.readmit-after", "1",
                "replication.selector", "round-robin",
                "replication.consistency", "wait",
                "replication.consistency.wait-timeout", "300ms",
                "replication.listeners", CountingListener.class.getName(),
                "replication.jmx.name", "obs-it"));
        ObjectName mbean;
        ReplicationMetrics metrics;
        try {
            cluster.awaitReplicated(Duration.ofSeconds(10));
            r = Replication.of(emf);
            r.monitor().checkNow();
            metrics = ReplicationMetrics.bind(r, registry);
            mbean = new ObjectName("dev.replication:type=Cluster,name=obs-it");
            assertThat(SERVER.isRegistered(mbean)).isTrue();
            CountingListener.ROUTED.set(0);

            // 1. M = 3 writes and 2 strong reads: the primary, PRIMARY_REQUESTED
            for (int i = 0; i < 3; i++) {
                write();
            }
            ConsistencyScope.current().clear();
            for (int i = 0; i < 2; i++) {
                assertThat(r.<String>readStrong(e -> Fixture.where(e).nodeName(cluster))).isEqualTo(primaryPg);
            }
            expect(primary, "primary_requested", "read_strong", 2);
            verifyRouted();

            // 2. N = 10 reads with no token: round-robin over both replicas
            cluster.awaitReplicated(Duration.ofSeconds(10));
            r.monitor().checkNow();
            Map<String, Integer> spread = new TreeMap<>();
            for (int i = 0; i < 10; i++) {
                spread.merge(r.read(em -> Fixture.where(em).nodeName(cluster)), 1, Integer::sum);
            }
            assertThat(spread).isEqualTo(Map.of(r1.name(), 5, r2.name(), 5));
            expect(r1.name(), "replica_selected", "read", 5);
            expect(r2.name(), "replica_selected", "read", 5);
            verifyRouted();

            // 3. a read scope inside a write scope is pinned to the primary
            try (RoutingScope w = Routing.open(Intent.WRITE); RoutingScope rd = Routing.open(Intent.READ)) {
                EntityManager em = emf.createEntityManager();
                try {
                    assertThat(Fixture.where(em).nodeName(cluster)).isEqualTo(primaryPg);
                } finally {
                    em.close();
                }
            }
            expect(primary, "primary_requested", "write", 1);
            expect(primary, "pinned_by_transaction", "read", 1);
            // 3b. the same through the facade: a read nested in a write publishes its pinned decision too
            assertThat(r.<String>write(outer -> r.read(inner -> Fixture.where(inner).nodeName(cluster))))
                    .isEqualTo(primaryPg);
            ConsistencyScope.current().clear();
            expect(primary, "primary_requested", "write", 1);
            expect(primary, "pinned_by_transaction", "read", 1);
            verifyRouted();
            // 4. a session outside any scope: the primary, NO_SCOPE
            EntityManager em = emf.createEntityManager();
            try {
                em.getTransaction().begin();
                assertThat(Fixture.where(em).nodeName(cluster)).isEqualTo(primaryPg);
                em.getTransaction().commit();
            } finally {
                em.close();
            }
            expect(primary, "no_scope", "write", 1);
            verifyRouted();

            // 5. both replicas paused, a write, then a read with its token: waits 300ms, then the primary
            pauseReplay(cluster, db, r1, r2);
            write();
            assertThat(readNode(cluster)).isEqualTo(primaryPg);
            ConsistencyScope.current().clear();
            expect(primary, "token_wait_timeout", "read", 1);
            verifyRouted();
            var timeouts = registry.get("replication.token.wait").tag("outcome", "timeout").timer();
            assertThat(timeouts.count()).isEqualTo(1);
            assertThat(timeouts.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(290);

            // 6. r1 stays paused, r2 resumes: r1 is excluded for lag and reads avoid it
            r2.resumeReplay();
            awaitStatus("r1 excluded for lag, r2 usable", () -> {
                ClusterStatus s = r.status();
                NodeStatus a = s.node(r1.name()).orElseThrow();
                return !a.usable() && a.excludedReason() != null && a.excludedReason().startsWith("lag")
                        && s.node(r2.name()).orElseThrow().usable();
            });
            assertThat(gauge("replication.lag.bytes", r1.name())).isGreaterThan(0);
            assertThat(gauge("replication.lag.seconds", r1.name())).isGreaterThanOrEqualTo(0.5);
            assertThat(gauge("replication.node.up", r1.name())).isEqualTo(1);
            assertThat(gauge("replication.node.usable", r1.name())).isZero();
            assertThat(gauge("replication.node.usable", r2.name())).isEqualTo(1);
            assertThat(gauge("replication.lag.seconds", r2.name())).isLessThan(0.5);
            for (int i = 0; i < 4; i++) {
                assertThat(readNode(cluster)).isEqualTo(r2.name());
            }
            expect(r2.name(), "replica_selected", "read", 4);
            verifyRouted();
            assertMBeanMatchesStatus(mbean);

            // 7. r2 paused too: both excluded for lag, reads fall back to the primary (or fail on request)
            pauseReplay(cluster, db, r2);
            write();
            ConsistencyScope.current().clear();
            awaitStatus("both replicas excluded", () -> r.status().nodes().stream()
                    .filter(n -> !n.name().equals(primary)).noneMatch(NodeStatus::usable));
            for (int i = 0; i < 2; i++) {
                assertThat(readNode(cluster)).isEqualTo(primaryPg);
            }
            expect(primary, "lag_exceeded", "read", 2);
            assertThatThrownBy(() -> r.read(new RoutingOptions(null, NoReplicaPolicy.FAIL),
                    e -> Fixture.where(e).nodeName(cluster)))
                    .satisfies(t -> exceptionMessages.add(String.valueOf(t.getMessage())))
                    .hasMessageContaining(r1.name()).hasMessageContaining(r2.name());
            verifyRouted();

            // 8. both resume and are readmitted
            r1.resumeReplay();
            r2.resumeReplay();
            cluster.awaitReplicated(Duration.ofSeconds(10));
            awaitStatus("both replicas readmitted", () -> r.status().nodes().stream().allMatch(NodeStatus::usable));
            assertThat(registry.get("replication.node.transitions").tags("node", r1.name(), "state", "readmitted")
                    .counter().count()).isEqualTo(1);

            // 9. r2 killed: the read that lands on it is retried once on r1; later reads avoid r2
            r2.kill();
            for (int i = 0; i < 4; i++) {
                assertThat(readNode(cluster)).isEqualTo(r1.name());
            }
            expect(r2.name(), "replica_selected", "read", 1);
            expect(r1.name(), "replica_selected", "read", 3);
            expect(r1.name(), "retried_after_failure", "read", 1);
            verifyRouted();
            assertThat(registry.get("replication.read.retries").tag("node", r2.name()).counter().count()).isEqualTo(1);
            assertThat(registry.get("replication.read.retries").tag("node", r1.name()).counter().count()).isZero();
            r.monitor().checkNow();
            assertThat(gauge("replication.node.up", r2.name())).isZero();
            assertThat(gauge("replication.node.up", r1.name())).isEqualTo(1);
            assertThat(gauge("replication.node.up", primary)).isEqualTo(1);
            assertThat(gauge("replication.lag.bytes", r2.name())).isNaN();
            assertThat(gauge("replication.lag.seconds", primary)).isZero();
            assertThat(registry.get("replication.node.transitions").tags("node", r2.name(), "state", "down")
                    .counter().count()).isEqualTo(1);
            assertThat(registry.get("replication.failovers").counters())
                    .allSatisfy(c -> assertThat(c.count()).isZero());
            assertThat(registry.get("replication.token.wait").tag("outcome", "replayed").timer().count()).isZero();
            assertMBeanMatchesStatus(mbean);

            // the operation triggers a check
            ClusterMXBean proxy = JMX.newMXBeanProxy(SERVER, mbean, ClusterMXBean.class);
            var before = r.status().lastCheck();
            proxy.checkNow();
            assertThat(r.status().lastCheck()).isAfter(before);
            assertThat(proxy.getDownNodes()).isEqualTo(1);
            assertThat(proxy.getUsableReplicas()).isEqualTo(1);

            // the listener from configuration saw every decision the meters counted
            assertThat(CountingListener.ROUTED.get()).isEqualTo(expectedRouted.values().stream().mapToInt(i -> i).sum());

            // strings an operator sees: config, status, MBean texts
            exceptionMessages.add(ReplicationConfig.fromProperties(Fixture.properties(cluster, db, Map.of())).toString());
            exceptionMessages.add(r.status().describe());
            exceptionMessages.add(proxy.describe());
            exceptionMessages.add(mbean.toString());
            assertThatThrownBy(() -> ReplicationConfig.fromProperties(Fixture.properties(cluster, db,
                    Map.of("replication.replica.ghost.url", r1.jdbcUrl(db)))))
                    .satisfies(t -> exceptionMessages.add(t.getMessage()));
            assertThatThrownBy(() -> ReplicationConfig.builder()
                    .primary("jdbc:mysql://db/x?user=u&password=" + PASSWORD).build())
                    .satisfies(t -> exceptionMessages.add(t.getMessage()));
            assertThatThrownBy(() -> ReplicationConfig.builder()
                    .primary("jdbc:mysql://u:" + PASSWORD + "@db/x").build())
                    .satisfies(t -> exceptionMessages.add(t.getMessage()));
        } catch (javax.management.MalformedObjectNameException e) {
            throw new AssertionError(e);
        } finally {
            emf.close();
        }
        metrics.close();
        assertThat(SERVER.isRegistered(mbean)).as("MBean unregistered on close").isFalse();
        assertThat(registry.getMeters()).isEmpty();

        // logging: state changes once, never per call, and no password anywhere
        List<String> lines = logs.lines();
        assertThat(logs.lines("HRR000002")).as("node down logged once").hasSize(1)
                .allSatisfy(l -> assertThat(l).contains(r2.name()));
        assertThat(logs.lines("HRR000016")).as("retry logged once").hasSize(1);
        assertThat(logs.lines("HRR000004").stream().filter(l -> l.contains("'" + r1.name() + "'"))).hasSize(1);
        assertThat(logs.lines("HRR000004").stream().filter(l -> l.contains("'" + r2.name() + "'"))).hasSize(1);
        assertThat(logs.lines("HRR000006")).as("fallback to primary logged once").hasSize(1);
        assertThat(logs.lines("HRR000021")).as("MBean registration at debug").hasSize(1);
        assertThat(logs.lines("HRR")).as("no line per call: %s", logs.lines("HRR")).hasSizeLessThan(25);
        assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(PASSWORD));
        assertThat(exceptionMessages).hasSizeGreaterThanOrEqualTo(7).noneMatch(m -> m == null || m.contains(PASSWORD));
    }

    /**
     * Pauses replay and waits until it is really paused: the pause takes effect at the next WAL
     * record, so WAL is generated on the primary directly (no routing, no token) until every
     * replica reports {@code paused}.
     */
    private static void pauseReplay(PgCluster cluster, String db, PgNode... replicas) {
        for (PgNode n : replicas) {
            n.pauseReplay();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try (Connection p = cluster.primary().connect(db); Statement st = p.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS obs_tick (n int)");
            for (PgNode n : replicas) {
                while (true) {
                    st.execute("INSERT INTO obs_tick VALUES (1)");
                    try (Connection c = n.connect(db); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT pg_get_wal_replay_pause_state()")) {
                        rs.next();
                        if ("paused".equals(rs.getString(1))) {
                            break;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        fail(n.name() + ": replay not paused within 15 s");
                    }
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private String readNode(PgCluster cluster) {
        return r.read(e -> Fixture.where(e).nodeName(cluster));
    }

    private void write() {
        long id = nextId++;
        r.write(em -> {
            em.persist(new Account(id, "owner" + id, id * 10));
            return null;
        });
        expect("primary", "primary_requested", "write", 1);
    }

    private void expect(String node, String reason, String intent, int n) {
        expectedRouted.merge(node + "/" + reason + "/" + intent, n, Integer::sum);
    }

    private void verifyRouted() {
        Map<String, Integer> actual = new TreeMap<>();
        for (Counter c : registry.find("replication.routed").counters()) {
            if (c.count() > 0) {
                actual.put(c.getId().getTag("node") + "/" + c.getId().getTag("reason") + "/"
                        + c.getId().getTag("intent"), (int) c.count());
            }
        }
        assertThat(actual).isEqualTo(expectedRouted);
    }

    private double gauge(String name, String node) {
        return registry.get(name).tag("node", node).gauge().value();
    }

    /** Runs monitor rounds until the condition holds, up to 15 s. */
    private void awaitStatus(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            r.monitor().checkNow();
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting for: " + what + "; status:\n" + r.status().describe());
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    /** The MXBean reports what the API reports (pool counts can move in between: compare until equal, 5 s). */
    private void assertMBeanMatchesStatus(ObjectName mbean) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Supplier<String> api = () -> {
            ClusterStatus s = r.status();
            return s.primary() + " " + s.lastCheck() + " " + s.nodes().stream().map(NodeInfo::of).map(NodeInfo::toString).toList();
        };
        String lastApi;
        String lastJmx;
        do {
            lastApi = api.get();
            lastJmx = jmxView(mbean);
            if (lastApi.equals(lastJmx)) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        } while (System.nanoTime() < deadline);
        assertThat(lastJmx).isEqualTo(lastApi);
    }

    private static String jmxView(ObjectName mbean) {
        try {
            CompositeData[] nodes = (CompositeData[]) SERVER.getAttribute(mbean, "Nodes");
            List<String> list = new ArrayList<>();
            for (CompositeData cd : nodes) {
                list.add(NodeInfo.from(cd).toString() + "|" + cd.get("observedRole") + "|" + cd.get("lagMillis"));
            }
            return SERVER.getAttribute(mbean, "Primary") + " " + SERVER.getAttribute(mbean, "LastCheck") + " "
                    + list.stream().map(s -> s.substring(0, s.indexOf('|'))).toList();
        } catch (javax.management.JMException e) {
            throw new AssertionError(e);
        }
    }
}
