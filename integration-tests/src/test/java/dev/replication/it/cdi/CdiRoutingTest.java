package dev.replication.it.cdi;

import dev.replication.Intent;
import dev.replication.ReadOnlyViolationException;
import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.Secret;
import dev.replication.RoutingDecision;
import dev.replication.cdi.RequestConsistency;
import dev.replication.cdi.ReplicationLag;
import dev.replication.cdi.Routed;
import dev.replication.cdi.RoutedPersistence;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.persistence.EntityManager;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CDI extension on Weld SE against a real primary + 2 replicas. The application under test is
 * only persistence.xml (unit cdi-it) and annotated beans: no producer, no configuration class; the
 * cluster's URLs reach the extension as system properties.
 */
@PgClusterTest(replicas = 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CdiRoutingTest {

    private static final AtomicLong IDS = new AtomicLong(1);

    private PgCluster cluster;
    private WeldContainer weld;
    private Map<String, Object> systemProperties;
    private ReplicaBean replica;
    private PrimaryBean primary;
    private PlainBean plain;
    private Replication replication;

    @BeforeAll
    void boot(PgCluster cluster) {
        this.cluster = cluster;
        String db = cluster.createDatabase("cdi_it");
        ReplicationConfig.Builder b = ReplicationConfig.builder()
                .primary(cluster.primary().jdbcUrl(db))
                .credentials(cluster.user(), cluster.password())
                .set("replication.consistency.wait-timeout", "100ms");
        for (PgNode r : cluster.replicas()) {
            b.replica(r.name(), r.jdbcUrl(db));
        }
        systemProperties = b.toProperties();
        // system properties hold text only: the builder's Secret (masked toString) is unwrapped here
        systemProperties.forEach((k, v) -> System.setProperty(k, v instanceof Secret s ? s.value() : String.valueOf(v)));
        System.setProperty("dev.replication.cdi.persistence-unit", "cdi-it");
        weld = new Weld().initialize();
        replica = weld.select(ReplicaBean.class).get();
        primary = weld.select(PrimaryBean.class).get();
        plain = weld.select(PlainBean.class).get();
        replication = weld.select(Replication.class, Routed.Literal.INSTANCE).get();
        // schema created on the primary at bootstrap: wait until the replicas have it and the monitor saw them
        cluster.awaitReplicated(Duration.ofSeconds(30));
        ReplicationLag lag = weld.select(ReplicationLag.class).get();
        Await.until("replicas healthy", Duration.ofSeconds(20), () -> {
            lag.checkNow();
            return lag.replicas().stream().allMatch(r -> lag.isHealthy(r, Duration.ofSeconds(5)));
        });
    }

    @AfterAll
    void shutdown() {
        try {
            if (weld != null) {
                weld.close();
            }
        } finally {
            if (systemProperties != null) {
                systemProperties.keySet().forEach(System::clearProperty);
            }
            System.clearProperty("dev.replication.cdi.persistence-unit");
        }
    }

    private boolean isPrimary(Where w) {
        return w.port() == cluster.primary().port() && !w.inRecovery();
    }

    private boolean isReplica(Where w) {
        return w.inRecovery() && cluster.replicas().stream().anyMatch(r -> r.port() == w.port());
    }

    private boolean exists(long id) {
        return replication.readStrong(em -> em.find(Note.class, id) != null);
    }

    @Test
    void classAndMethodPrecedenceInAllFourCombinations() {
        assertThat(isReplica(replica.where())).as("class @ReadReplica, method none").isTrue();
        assertThat(isPrimary(replica.whereOnPrimaryMethod())).as("class @ReadReplica, method @Primary").isTrue();
        assertThat(isPrimary(primary.where())).as("class @Primary, method none").isTrue();
        assertThat(isReplica(primary.whereOnReadMethod())).as("class @Primary, method @ReadReplica").isTrue();
        assertThat(isPrimary(replica.strongWhere())).as("@Primary(readOnly = true)").isTrue();
    }

    @Test
    void onlyOneInterceptorRunsWhenClassAndMethodDisagree() {
        List<RoutingDecision> seen = new CopyOnWriteArrayList<>();
        Thread me = Thread.currentThread();
        RoutingListener listener = new RoutingListener() {
            @Override
            public void routed(RoutingDecision decision) {
                if (Thread.currentThread() == me) {
                    seen.add(decision);
                }
            }
        };
        replication.addListener(listener);
        try {
            replica.whereOnPrimaryMethod();
            primary.whereOnReadMethod();
        } finally {
            replication.removeListener(listener);
        }
        assertThat(seen).extracting(RoutingDecision::intent).containsExactly(Intent.WRITE, Intent.READ);
    }

    @Test
    void primaryCommitsOnReturnAndRollsBackOnException() {
        long ok = IDS.getAndIncrement();
        assertThat(isPrimary(primary.insert(ok, "kept"))).isTrue();
        assertThat(exists(ok)).isTrue();

        long bad = IDS.getAndIncrement();
        assertThatThrownBy(() -> primary.insertAndFail(bad)).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(exists(bad)).isFalse();

        long checked = IDS.getAndIncrement();
        assertThatThrownBy(() -> primary.insertAndFailChecked(checked)).isExactlyInstanceOf(Exception.class)
                .hasMessage("checked boom");
        assertThat(exists(checked)).isFalse();
    }

    @Test
    void readReplicaInsidePrimaryStaysOnPrimaryInTheSameTransaction() {
        long id = IDS.getAndIncrement();
        Object[] r = primary.insertThenRead(id);
        assertThat(isPrimary((Where) r[0])).isTrue();
        assertThat(r[1]).as("the nested read sees the enclosing transaction's row").isEqualTo("inside");
        assertThat(exists(id)).isTrue();
    }

    @Test
    void primaryInsideReadReplicaWritesOnPrimary() {
        long id = IDS.getAndIncrement();
        Where[] w = replica.readThenWrite(id);
        assertThat(isReplica(w[0])).isTrue();
        assertThat(isPrimary(w[1])).isTrue();
        assertThat(w[2]).as("the enclosing read keeps its replica").isEqualTo(w[0]);
        assertThat(exists(id)).as("the nested @Primary committed").isTrue();
    }

    @Test
    void writeInReadReplicaIsAReadOnlyViolation() {
        long id = IDS.getAndIncrement();
        assertThatThrownBy(() -> replica.writeInRead(id)).isInstanceOf(ReadOnlyViolationException.class);
        assertThat(exists(id)).isFalse();
    }

    @Test
    void outsideAnyScopeTheRoutedEntityManagerIsThePrimary() {
        RequestContextController rc = weld.select(RequestContextController.class).get();
        rc.activate();
        try {
            assertThat(isPrimary(plain.where())).isTrue();
            EntityManager em = weld.select(EntityManager.class, Routed.Literal.INSTANCE).get();
            assertThat(isPrimary(Where.of(em))).isTrue();
        } finally {
            rc.deactivate();
        }
        assertThatThrownBy(plain::where).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@ReadReplica or @Primary");
    }

    @Test
    void requestTokenMakesReadsSeeOwnWritesAndRequestsHaveSeparateHolders() {
        long id = IDS.getAndIncrement();
        RequestContextController rc = weld.select(RequestContextController.class).get();
        cluster.replicas().forEach(PgNode::pauseReplay);
        try {
            rc.activate();
            try {
                RequestConsistency consistency = weld.select(RequestConsistency.class).get();
                assertThat(consistency.token()).isEmpty();
                primary.insert(id, "mine");
                assertThat(consistency.token()).as("the commit advanced the request's token").isPresent();
                assertThat(replica.text(id)).as("read-your-writes with replay paused").isEqualTo("mine");
            } finally {
                rc.deactivate();
            }
            rc.activate();
            try {
                assertThat(weld.select(RequestConsistency.class).get().token()).as("a new request, a new holder").isEmpty();
            } finally {
                rc.deactivate();
            }
        } finally {
            cluster.replicas().forEach(PgNode::resumeReplay);
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    @Test
    void resumedTokenFromAnotherRequestIsHonoured() {
        long id = IDS.getAndIncrement();
        RequestContextController rc = weld.select(RequestContextController.class).get();
        String token;
        rc.activate();
        try {
            primary.insert(id, "carried");
            token = weld.select(RequestConsistency.class).get().token().orElseThrow();
        } finally {
            rc.deactivate();
        }
        rc.activate();
        try {
            RequestConsistency consistency = weld.select(RequestConsistency.class).get();
            consistency.resume(token);
            assertThat(consistency.token()).contains(token);
            assertThat(replica.text(id)).isEqualTo("carried");
        } finally {
            rc.deactivate();
        }
    }

    @Test
    void lagMonitorBeanReportsEachReplica() {
        ReplicationLag lag = weld.select(ReplicationLag.class).get();
        lag.checkNow();
        assertThat(lag.replicas()).containsExactlyInAnyOrderElementsOf(
                cluster.replicas().stream().map(PgNode::name).toList());
        for (String r : lag.replicas()) {
            assertThat(lag.lag(r)).as("time lag of " + r).isPresent();
            assertThat(lag.lagBytes(r)).as("byte lag of " + r).isPresent();
        }
        assertThat(lag.isHealthy(Duration.ofSeconds(5))).isTrue();
        assertThat(lag.lastCheck()).isPresent();
        assertThat(lag.status().nodes()).hasSize(3);
        assertThat(weld.select(RoutedPersistence.class).get().entityManagerFactory().isOpen()).isTrue();
    }

    @Test
    void metersAreBoundToTheApplicationsMeterRegistry() {
        io.micrometer.core.instrument.MeterRegistry registry =
                weld.select(io.micrometer.core.instrument.MeterRegistry.class).get();
        double before = routedCount(registry);
        replica.where();
        replica.where();
        assertThat(routedCount(registry)).isGreaterThanOrEqualTo(before + 2);
        assertThat(registry.find("replication.node.up").gauges()).hasSize(3);
    }

    private static double routedCount(io.micrometer.core.instrument.MeterRegistry registry) {
        return registry.find("replication.routed").tag("intent", "read").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }
}
