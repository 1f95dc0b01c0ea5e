package dev.replication.it.core;

import dev.replication.NoReplicaAvailableException;
import dev.replication.NoReplicaPolicy;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.RoutingOptions;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Health, lag and replica failover on a real cluster. Destructive: has its own cluster. */
class MonitorTest extends ClusterTestBase {

    private static final Duration INTERVAL = Duration.ofMillis(500);

    @Override
    protected String database() {
        return "monitor";
    }

    @AfterEach
    void restore() {
        for (PgNode n : cluster.replicas()) {
            if (n.isSuspended()) {
                n.resumeProcess();
            }
            if (!n.isRunning()) {
                n.start();
            }
            n.resumeReplay();
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    @Override
    protected Replication replication(Map<String, ?> extra) {
        Map<String, Object> o = new java.util.HashMap<>(Map.of(
                "replication.monitor.interval", INTERVAL.toMillis() + "ms",
                "replication.monitor.timeout", "300ms",
                "replication.readmit-after", "2"));
        o.putAll(extra);
        return super.replication(o);
    }

    private NodeStatus status(Replication r, PgNode node) {
        return r.status().node(node.name()).orElseThrow();
    }

    /** Runs reads on {@code threads} threads until stopped; records node, latency and failures. */
    private final class Load implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>(); // {endNanos, port, latencyNanos}
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong count = new AtomicLong();
        final ExecutorService pool;
        final List<Future<?>> futures = new ArrayList<>();

        Load(Replication r, int threads) {
            pool = Executors.newFixedThreadPool(threads);
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        try {
                            int port = r.read(em -> Fixture.where(em).port());
                            long t1 = System.nanoTime();
                            samples.add(new long[] {t1, port, t1 - t0});
                            count.incrementAndGet();
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                }));
            }
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void killedReplicaUnderLoadCausesNoFailedReadAndReadsMoveToTheSurvivor() throws Exception {
        Replication r = replication(Map.of());
        PgNode victim = cluster.replicas().get(0);
        PgNode survivor = cluster.replicas().get(1);
        long killedAt;
        try (Load load = new Load(r, 6)) {
            Await.until("reads on both replicas", Duration.ofSeconds(10), () -> load.samples.stream()
                    .map(s -> s[1]).distinct().count() >= 2);
            killedAt = System.nanoTime();
            victim.kill();
            long until = killedAt + INTERVAL.toNanos() * 6;
            Await.until("load after the kill", Duration.ofSeconds(10), () -> System.nanoTime() > until);
            load.close();
            assertThat(load.failures).as("failed read calls").isEmpty();
            long deadline = killedAt + INTERVAL.toNanos() * 2 + Duration.ofMillis(400).toNanos();
            List<long[]> late = load.samples.stream().filter(s -> s[0] > deadline).toList();
            assertThat(late).isNotEmpty();
            assertThat(late).allSatisfy(s -> assertThat(s[1]).as("port of a read after 2 intervals")
                    .isEqualTo(survivor.port()));
        }
        assertThat(status(r, victim).up()).isFalse();
        assertThat(status(r, victim).excludedReason()).isNotBlank();
    }

    @Test
    void hungReplicaNeverHoldsAReadForMoreThanTwoSecondsAndComesBackAfterResume() throws Exception {
        Replication r = replication(Map.of());
        PgNode victim = cluster.replicas().get(0);
        try (Load load = new Load(r, 4)) {
            Await.until("reads on both replicas", Duration.ofSeconds(10), () -> load.samples.stream()
                    .map(s -> s[1]).distinct().count() >= 2);
            victim.suspend();
            Await.until("replica excluded", Duration.ofSeconds(5), () -> !status(r, victim).usable());
            long excludedAt = System.nanoTime();
            Await.until("load while excluded", Duration.ofSeconds(5), () -> System.nanoTime() > excludedAt + 1_500_000_000L);
            load.close();
            assertThat(load.failures).as("failed read calls").isEmpty();
            long worst = load.samples.stream().mapToLong(s -> s[2]).max().orElse(0);
            assertThat(Duration.ofNanos(worst)).as("slowest read call").isLessThan(Duration.ofSeconds(2));
        }
        victim.resumeProcess();
        Await.until("replica readmitted", Duration.ofSeconds(10), () -> status(r, victim).usable());
        Map<Integer, Integer> ports = new ConcurrentHashMap<>();
        for (int i = 0; i < 20; i++) {
            ports.merge(r.read(em -> Fixture.where(em).port()), 1, Integer::sum);
        }
        assertThat(ports).containsKey(victim.port());
    }

    @Test
    void deadReplicaFailsFastInsteadOfHoldingTheRequest() {
        Replication r = replication(Map.of("replication.monitor.interval", "0", "replication.retry-reads", "false"));
        PgNode victim = cluster.replicas().get(0);
        victim.kill();
        var sf = r.entityManagerFactory().unwrap(org.hibernate.SessionFactory.class);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> {
            try (var s = sf.withOptions().tenantIdentifier((Object) victim.name()).openSession()) {
                s.createNativeQuery("SELECT 1", Integer.class).getSingleResult();
            }
        }).isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1000));
    }

    @Test
    void laggingReplicaIsExcludedAndReadmittedWithoutFlapping() throws Exception {
        Replication r = replication(Map.of("replication.max-lag", "1s"));
        PgNode lagging = cluster.replicas().get(0);
        // idle primary: lag stays zero (the seed's now() - pg_last_xact_replay_timestamp() would grow)
        long idleUntil = System.nanoTime() + 2_000_000_000L;
        Await.until("idle period", Duration.ofSeconds(5), () -> System.nanoTime() > idleUntil);
        assertThat(r.monitor().lag(lagging.name())).contains(Duration.ZERO);
        assertThat(r.monitor().isHealthy(Duration.ofMillis(100))).isTrue();

        lagging.pauseReplay();
        try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS ticks (at timestamptz)");
            long stopAt = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < stopAt && status(r, lagging).usable()) {
                st.execute("INSERT INTO ticks VALUES (now())");
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        }
        Await.until("lagging replica excluded", Duration.ofSeconds(5), () -> !status(r, lagging).usable());
        assertThat(status(r, lagging).excludedReason()).contains("lag");
        assertThat(r.monitor().lagBytes(lagging.name()).orElseThrow()).isPositive();
        for (int i = 0; i < 10; i++) {
            int port = r.read(em -> Fixture.where(em).port());
            assertThat(port).isEqualTo(cluster.replicas().get(1).port());
        }
        lagging.resumeReplay();
        Await.until("caught up and readmitted", Duration.ofSeconds(10), () -> status(r, lagging).usable());
        assertThat(r.monitor().lag(lagging.name()).orElseThrow()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void everyReplicaExcludedFallsBackToPrimaryOrFailsNamingEachReplica() throws Exception {
        Replication r = replication(Map.of());
        for (PgNode n : cluster.replicas()) {
            n.kill();
        }
        Await.until("both replicas down", Duration.ofSeconds(5), () -> cluster.replicas().stream()
                .noneMatch(n -> status(r, n).usable()));
        int port = r.read(em -> Fixture.where(em).port());
        assertThat(port).isEqualTo(cluster.primary().port());
        assertThatThrownBy(() -> r.read(new RoutingOptions(null, NoReplicaPolicy.FAIL), em -> 1))
                .isInstanceOf(NoReplicaAvailableException.class)
                .hasMessageContaining(cluster.replicas().get(0).name())
                .hasMessageContaining(cluster.replicas().get(1).name())
                .satisfies(e -> assertThat(((NoReplicaAvailableException) e).reasons()).hasSize(2));
    }

    @Test
    void perCallMaxLagIsTighterThanConfigured() {
        Replication r = replication(Map.of());
        PgNode lagging = cluster.replicas().get(0);
        lagging.pauseReplay();
        try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS ticks2 (at timestamptz)");
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                st.execute("INSERT INTO ticks2 VALUES (now())");
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        r.monitor().checkNow();
        assertThat(status(r, lagging).usable()).isTrue();
        for (int i = 0; i < 6; i++) {
            int port = r.read(new RoutingOptions(Duration.ofMillis(200), null), em -> Fixture.where(em).port());
            assertThat(port).isNotEqualTo(lagging.port());
        }
    }
}
