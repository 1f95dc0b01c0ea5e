package dev.replication.it.core;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyToken;
import dev.replication.Replication;
import dev.replication.RoutingDecision;
import dev.replication.RoutingReason;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Read-after-write with commit-LSN tokens, on a real cluster. */
class ConsistencyTest extends ClusterTestBase {


    @Override
    protected String database() {
        return "consistency";
    }

    @AfterEach
    void restore() {
        for (PgNode n : cluster.replicas()) {
            n.resumeReplay();
            n.setApplyDelay(Duration.ZERO);
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    private record TokenWait(String node, boolean satisfied, List<String> waitedFor) {
    }

    private static final class Recorder implements RoutingListener {
        final List<RoutingDecision> decisions = new CopyOnWriteArrayList<>();
        final List<TokenWait> waits = new CopyOnWriteArrayList<>();

        @Override
        public void routed(RoutingDecision decision) {
            decisions.add(decision);
        }

        @Override
        public void tokenWaited(String node, Duration waited, boolean satisfied, List<String> waitedFor) {
            waits.add(new TokenWait(node, satisfied, waitedFor));
        }
    }

    private List<String> replicaNames() {
        return cluster.replicas().stream().map(PgNode::name).toList();
    }

    private static void put(Replication r, long id, long value) {
        r.write(em -> {
            Account a = em.find(Account.class, id);
            if (a == null) {
                em.persist(new Account(id, "rw", value));
            } else {
                a.setBalance(value);
            }
            return null;
        });
    }

    private record Read(long value, int port, long nanos) {
    }

    private Read get(Replication r, long id) {
        long t0 = System.nanoTime();
        return r.read(em -> {
            Account a = em.find(Account.class, id);
            int port = Fixture.where(em).port();
            return new Read(a == null ? -1 : a.getBalance(), port, System.nanoTime() - t0);
        });
    }

    @Test
    void replayPausedEverywhereServesEveryReadAfterAWriteFromThePrimaryWithinTheTimeout() {
        Duration timeout = Duration.ofMillis(15);
        Replication r = replication(Map.of("replication.consistency.wait-timeout", timeout.toMillis() + "ms"));
        Recorder rec = new Recorder();
        r.addListener(rec);
        put(r, 1, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        cluster.replicas().forEach(PgNode::pauseReplay);
        int stale = 0;
        int onPrimary = 0;
        long worst = 0;
        try (var bound = new ConsistencyScope().bind()) {
            for (int i = 1; i <= 1000; i++) {
                put(r, 1, i);
                Read read = get(r, 1);
                stale += read.value() == i ? 0 : 1;
                onPrimary += read.port() == cluster.primary().port() ? 1 : 0;
                worst = Math.max(worst, read.nanos());
            }
        }
        assertThat(stale).as("stale reads").isZero();
        assertThat(onPrimary).as("reads served by the primary").isEqualTo(1000);
        // each timed-out wait names the node serving the read (the primary) and the replicas it waited for
        // (once the paused replicas lag too far they are excluded and reads go to the primary without waiting)
        long timedOut = rec.decisions.stream().filter(d -> d.reason() == RoutingReason.TOKEN_WAIT_TIMEOUT).count();
        assertThat(timedOut).isPositive();
        assertThat(rec.waits).hasSize((int) timedOut).allSatisfy(w -> {
            assertThat(w.satisfied()).isFalse();
            assertThat(w.node()).isEqualTo("primary");
            // the replicas usable at the time (one may already be excluded for lag)
            assertThat(w.waitedFor()).isNotEmpty().isSubsetOf(replicaNames());
        });
        // the whole read (wait + session + queries) stays close to the wait timeout
        assertThat(Duration.ofNanos(worst)).isLessThan(timeout.plusMillis(250));
        System.out.printf("[consistency] paused replicas: 1000/1000 reads on primary, 0 stale, slowest read %.1f ms"
                + " (wait timeout %d ms)%n", worst / 1e6, timeout.toMillis());
    }

    @Test
    void applyDelayedReplicasServeReadsAfterWaitingAndAlwaysSeeTheWrite() {
        Replication r = replication(Map.of("replication.consistency.wait-timeout", "500ms"));
        Recorder rec = new Recorder();
        r.addListener(rec);
        put(r, 2, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ofMillis(100)));
        int onReplica = 0;
        try (var bound = new ConsistencyScope().bind()) {
            for (int i = 1; i <= 30; i++) {
                put(r, 2, i);
                Read read = get(r, 2);
                assertThat(read.value()).as("read %d", i).isEqualTo(i);
                onReplica += read.port() != cluster.primary().port() ? 1 : 0;
            }
        }
        assertThat(onReplica).as("reads served by a replica").isEqualTo(30);
        assertThat(rec.decisions).anyMatch(d -> d.reason() == RoutingReason.TOKEN_WAITED);
        assertThat(rec.waits).isNotEmpty().allSatisfy(w -> {
            assertThat(w.satisfied()).isTrue();
            assertThat(w.node()).isIn(replicaNames());
            assertThat(w.waitedFor()).containsExactlyInAnyOrderElementsOf(replicaNames());
        });
    }

    @Test
    void readsAfterAWriteKeepTheSelectorsSpreadOnceEveryReplicaReplayedTheToken() {
        // a long interval: the monitor's snapshots stay older than the token for the whole test
        Replication r = replication(Map.of("replication.monitor.interval", "1h"));
        put(r, 9, 0);
        try (var bound = new ConsistencyScope().bind()) {
            put(r, 9, 1);
            ConsistencyToken token = ConsistencyScope.current().token().orElseThrow();
            for (PgNode replica : cluster.replicas()) {
                Await.until(replica.name() + " replayed " + token, Duration.ofSeconds(10), () -> replayed(replica, token));
            }
            Map<Integer, Integer> perPort = new HashMap<>();
            for (int i = 0; i < 100; i++) {
                Read read = get(r, 9);
                assertThat(read.value()).isEqualTo(1);
                perPort.merge(read.port(), 1, Integer::sum);
            }
            for (PgNode replica : cluster.replicas()) {
                assertThat(perPort.getOrDefault(replica.port(), 0)).as("reads on %s of 100: %s", replica.name(), perPort)
                        .isBetween(40, 60);
            }
        }
    }

    private static boolean replayed(PgNode replica, ConsistencyToken token) {
        try (Connection c = replica.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
            rs.next();
            return ConsistencyToken.parse(rs.getString(1)).compareTo(token) >= 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsAfterAWriteNeverGoToThePausedReplica() {
        Replication r = replication(Map.of());
        PgNode paused = cluster.replicas().get(0);
        put(r, 3, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        paused.pauseReplay();
        try (var bound = new ConsistencyScope().bind()) {
            for (int i = 1; i <= 50; i++) {
                put(r, 3, i);
                Read read = get(r, 3);
                assertThat(read.value()).isEqualTo(i);
                assertThat(read.port()).isNotEqualTo(paused.port());
            }
        }
    }

    @Test
    void tokensCarryConsistencyAcrossThreadsAsStrings() throws Exception {
        Replication r = replication(Map.of("replication.consistency.wait-timeout", "2s"));
        cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ofMillis(200)));
        String header;
        try (var bound = new ConsistencyScope().bind()) {
            put(r, 4, 42);
            header = r.currentToken().orElseThrow().toString();
        }
        assertThat(header).matches("[0-9A-F]+/[0-9A-F]+");
        // another "service": a different thread resumes from the header and reads its write
        Read read = CompletableFuture.supplyAsync(() -> {
            try (var bound = r.resume(header).bind()) {
                return get(r, 4);
            }
        }).get();
        assertThat(read.value()).isEqualTo(42);
        assertThat(read.port()).isNotEqualTo(cluster.primary().port());
        // without the token a read right after the write on a delayed replica is usually stale: the
        // token is what makes the difference (not asserted: timing)
    }

    @Test
    void untrustedTokensAreValidatedAndCapped() {
        Replication r = replication(Map.of("replication.consistency.wait-timeout", "300ms"));
        put(r, 5, 7);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        r.monitor().checkNow();
        assertThatThrownBy(() -> r.resume("not-a-token")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a WAL position");
        ConsistencyScope forged = r.resume("FFFFFFFF/FFFFFFFF");
        try (var bound = forged.bind()) {
            Read read = get(r, 5);
            assertThat(read.value()).isEqualTo(7);
            assertThat(Duration.ofNanos(read.nanos())).isLessThan(Duration.ofMillis(300));
            assertThat(read.port()).isNotEqualTo(cluster.primary().port());
        }
        assertThat(forged.token().orElseThrow()).isLessThan(ConsistencyToken.parse("FFFFFFFF/FFFFFFFF"));
    }

    @Test
    void modePrimaryGoesToThePrimaryAtOnceAndModeOffIgnoresTokens() {
        Replication primaryMode = replication(Map.of("replication.consistency", "primary"));
        Replication off = replication(Map.of("replication.consistency", "off"));
        put(primaryMode, 6, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        cluster.replicas().forEach(PgNode::pauseReplay);
        try (var bound = new ConsistencyScope().bind()) {
            put(primaryMode, 6, 1);
            Read read = get(primaryMode, 6);
            assertThat(read.value()).isEqualTo(1);
            assertThat(read.port()).isEqualTo(cluster.primary().port());
            assertThat(Duration.ofNanos(read.nanos())).isLessThan(Duration.ofMillis(200));
        }
        try (var bound = new ConsistencyScope().bind()) {
            put(off, 6, 2);
            assertThat(ConsistencyScope.current().token()).isEmpty();
            Read read = get(off, 6);
            assertThat(read.port()).isNotEqualTo(cluster.primary().port());
            assertThat(read.value()).as("stale by design with consistency=off").isLessThan(2);
        }
    }

    @Test
    void tokenCaptureAddsLittleToAWriteTransaction() {
        Replication on = replication(Map.of());
        Replication off = replication(Map.of("replication.consistency", "off"));
        put(on, 7, 0);
        put(off, 8, 0);
        long[] withToken = new long[1000];
        long[] without = new long[1000];
        try (var bound = new ConsistencyScope().bind()) {
            for (int warm = 1; warm <= 200; warm++) {
                put(on, 7, warm);
                put(off, 8, warm);
            }
            for (int i = 1; i <= 1000; i++) {
                long t0 = System.nanoTime();
                put(on, 7, 1000 + i);
                long t1 = System.nanoTime();
                put(off, 8, 1000 + i);
                long t2 = System.nanoTime();
                withToken[i - 1] = t1 - t0;
                without[i - 1] = t2 - t1;
            }
        }
        Arrays.sort(withToken);
        Arrays.sort(without);
        double p50On = withToken[500] / 1e3;
        double p50Off = without[500] / 1e3;
        double p99On = withToken[990] / 1e3;
        double p99Off = without[990] / 1e3;
        System.out.printf("[consistency] write txn with token p50 %.0f us p99 %.0f us; without p50 %.0f us p99 %.0f us;"
                + " added p50 %.0f us (%.1f%%)%n", p50On, p99On, p50Off, p99Off, p50On - p50Off,
                100 * (p50On - p50Off) / p50Off);
        assertThat(ConsistencyScope.current().token()).isNotNull();
        // one batched round trip, not an extra one: well under a plain round trip's worth of added time
        assertThat(p50On / p50Off).isLessThan(1.25);
    }
}
