package dev.replication.it.core;

import dev.replication.NodeStatus;
import dev.replication.PrimaryUnavailableException;
import dev.replication.Replication;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which standby serves reads and which one is promoted: failover-only standbys, failover priority,
 * the lag limit on promotion and synchronous standbys. Each test leaves the cluster with a primary
 * and two streaming replicas.
 */
class FailoverChoiceTest extends FailoverTestBase {

    @Override
    protected String database() {
        return "failover_choice";
    }

    static long count(PgNode node, String db, String where) {
        try (Connection c = node.connect(db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM account WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(node.name() + ": " + e.getMessage(), e);
        }
    }

    record Promotion(String oldPrimary, String newPrimary, boolean ours) {
    }

    static final class Events implements RoutingListener {
        final List<Promotion> promotions = new CopyOnWriteArrayList<>();
        final List<String> states = new CopyOnWriteArrayList<>();
        final List<dev.replication.Promotion> promoted = new CopyOnWriteArrayList<>();

        @Override
        public void promoted(dev.replication.Promotion promotion) {
            promoted.add(promotion);
        }

        @Override
        public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
            promotions.add(new Promotion(oldPrimary, newPrimary, promotedByUs));
        }

        @Override
        public void nodeStateChanged(String node, String state, String reason) {
            states.add(node + " " + state + ": " + reason);
        }
    }

    @Test
    void aFailoverOnlyStandbyIsMonitoredButNeverReadFrom() {
        createSchemaOnce();
        PgNode standby = cluster.replicas().get(0);
        PgNode reader = cluster.replicas().get(1);
        Replication r = replication(Map.of("replication.replica." + standby.name() + ".reads", "false",
                "replication.replica." + standby.name() + ".pool.max-size", "1",
                "replication.replica." + standby.name() + ".pool.min-idle", "0"));
        write(r);
        for (int i = 0; i < 50; i++) {
            assertThat((int) r.read(em -> Fixture.where(em).port())).isEqualTo(reader.port());
        }
        reader.kill();
        r.monitor().checkNow();
        // with the only read replica down, reads go to the primary, never to the failover-only standby
        for (int i = 0; i < 10; i++) {
            assertThat((int) r.read(em -> Fixture.where(em).port())).isEqualTo(cluster.primary().port());
        }
        NodeStatus s = r.status().node(standby.name()).orElseThrow();
        assertThat(s.up()).as("monitored").isTrue();
        assertThat(s.replayLsn()).isNotNegative();
    }

    @Test
    void priorityZeroIsNeverPromotedAndPriorityBreaksTies() {
        createSchemaOnce();
        PgNode never = cluster.replicas().get(0);
        PgNode other = cluster.replicas().get(1);
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.replica." + never.name() + ".failover-priority", "0"));
        Events events = new Events();
        r.addListener(events);
        // the priority-0 standby is the more caught-up one: without the priority it would be chosen
        other.pauseReplay();
        for (int i = 0; i < 20; i++) {
            write(r);
        }
        cluster.awaitReplicated(never, Duration.ofSeconds(10));
        r.monitor().checkNow();
        cluster.primary().kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        assertThat(events.promotions.get(0).newPrimary()).isEqualTo(other.name());
        cluster.adoptPromotion(other);
        assertThat(never.isInRecovery()).isTrue();
        // replay was resumed before promoting: nothing the monitor saw on the old primary is lost
        assertThat(events.promoted).hasSize(1);
        assertThat(events.promoted.get(0).possiblyLostBytes()).isZero();
        assertThat(events.promoted.get(0).newPrimary()).isEqualTo(other.name());
    }

    @Test
    void amongEquallyCaughtUpStandbysTheHigherPriorityWins() {
        createSchemaOnce();
        PgNode first = cluster.replicas().get(0);
        PgNode preferred = cluster.replicas().get(1);
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.replica." + preferred.name() + ".failover-priority", "7"));
        Events events = new Events();
        r.addListener(events);
        write(r);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        r.monitor().checkNow();
        cluster.primary().kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        assertThat(events.promotions.get(0).newPrimary()).isEqualTo(preferred.name());
        cluster.adoptPromotion(preferred);
        assertThat(first.isInRecovery()).isTrue();
    }

    @Test
    void aStandbyTooFarBehindIsNotPromotedAndWritesStayUnavailable() {
        createSchemaOnce();
        PgNode never = cluster.replicas().get(0);
        PgNode behind = cluster.replicas().get(1);
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.replica." + never.name() + ".failover-priority", "0"));
        Events events = new Events();
        r.addListener(events);
        behind.pauseReplay();
        try (Connection c = cluster.primary().connect(db)) {
            // about 4 MB of WAL the paused standby has not replayed
            c.createStatement().execute("INSERT INTO account SELECT g, g, repeat('x', 60) FROM generate_series(1000000, 1040000) g");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        r.monitor().checkNow();
        cluster.primary().kill();
        Await.until("promotion refused", Duration.ofSeconds(20), () -> events.states.stream()
                .anyMatch(s -> s.contains("promotion-refused")));
        String refusal = events.states.stream().filter(s -> s.contains("promotion-refused")).findFirst().orElseThrow();
        assertThat(refusal).contains(behind.name() + ": replayed", "bytes behind", "replication.failover.max-lag-bytes",
                never.name() + ": failover-priority 0");
        r.monitor().checkNow();
        r.monitor().checkNow();
        assertThatThrownBy(() -> write(r)).isInstanceOf(PrimaryUnavailableException.class);
        assertThat(events.promotions).isEmpty();
        assertThat(behind.isInRecovery()).isTrue();
    }

    @Test
    void onlyASynchronousStandbyIsPromotedSoNoAcknowledgedWriteIsLost() throws Exception {
        createSchemaOnce();
        PgNode async = cluster.replicas().get(0);
        PgNode sync = cluster.replicas().get(1);
        try (Connection c = cluster.primary().connect()) {
            c.createStatement().execute("ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (" + sync.name() + ")'");
            c.createStatement().execute("SELECT pg_reload_conf()");
        }
        Await.until("a synchronous standby", Duration.ofSeconds(10), () -> syncState(sync).equals("sync"));
        Replication r = replication(Map.of("replication.failover", "promote", "replication.failover.max-lag-bytes", "0"));
        Events events = new Events();
        r.addListener(events);
        // the synchronous standby acknowledges (flushes) every commit but replays none: its replayed
        // position stays behind the asynchronous one's, which a choice by replayed LSN alone would take
        sync.pauseReplay();
        List<Long> acknowledged = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                try {
                    acknowledged.add(write(r));
                } catch (RuntimeException e) {
                    LockSupport.parkNanos(5_000_000L);
                }
            }
        }, "writer");
        writer.start();
        try {
            Await.until("writes under load", Duration.ofSeconds(10), () -> acknowledged.size() >= 50);
            r.monitor().checkNow();
            // cut the asynchronous standby off: it stays up and in recovery, but receives nothing more
            try (Connection c = async.connect()) {
                c.createStatement().execute("ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 connect_timeout=1'");
                c.createStatement().execute("SELECT pg_reload_conf()");
            }
            Await.until("async standby cut off", Duration.ofSeconds(10), () -> syncState(async).isEmpty());
            int before = acknowledged.size();
            Await.until("more writes, acknowledged by the synchronous standby only", Duration.ofSeconds(10),
                    () -> acknowledged.size() >= before + 50);
            r.monitor().checkNow();
            cluster.primary().kill();
            Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
            int after = acknowledged.size();
            Await.until("writes on the new primary", Duration.ofSeconds(10), () -> acknowledged.size() > after + 5);
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertThat(events.promotions.get(0).newPrimary()).isEqualTo(sync.name());
        cluster.adoptPromotion(sync);
        long missing = acknowledged.stream().filter(id -> count(sync, db, "id = " + id) == 0).count();
        System.out.printf("[failover] synchronous standby promoted after SIGKILL under write load: %d acknowledged"
                + " writes, %d missing%n", acknowledged.size(), missing);
        assertThat(missing).isZero();
    }

    /** The sync_state the primary reports for {@code standby}, "" when it does not stream. */
    private String syncState(PgNode standby) {
        try (Connection c = cluster.primary().connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT sync_state FROM pg_stat_replication"
                     + " WHERE application_name = '" + standby.name() + "' AND state = 'streaming'")) {
            return rs.next() ? rs.getString(1) : "";
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
