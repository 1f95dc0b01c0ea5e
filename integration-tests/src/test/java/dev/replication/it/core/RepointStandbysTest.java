package dev.replication.it.core;

import dev.replication.NodeStatus;
import dev.replication.Promotion;
import dev.replication.Replication;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgClusterTest;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replication.failover.repoint-standbys}: after the library promoted a standby, the other
 * standbys, stranded on the dead primary's timeline, follow the new primary and serve reads again.
 * Three replicas, so two standbys survive the promotion.
 */
@PgClusterTest(replicas = 3)
class RepointStandbysTest extends FailoverTestBase {

    @Override
    protected String database() {
        return "repoint";
    }

    private static final class Events implements RoutingListener {
        final List<Promotion> promotions = new CopyOnWriteArrayList<>();
        final AtomicLong promotedAt = new AtomicLong();
        final List<String> states = new CopyOnWriteArrayList<>();

        @Override
        public void promoted(Promotion promotion) {
            promotedAt.compareAndSet(0, System.nanoTime());
            promotions.add(promotion);
        }

        @Override
        public void nodeStateChanged(String node, String state, String reason) {
            states.add(node + " " + state);
        }
    }

    @Test
    void standbysOfTheKilledPrimaryFollowThePromotedOneAndServeReadsWithinTenSeconds() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.failover.repoint-standbys", "true"));
        Events events = new Events();
        r.addListener(events);
        for (int i = 0; i < 10; i++) {
            write(r);
        }
        PgNode old = cluster.primary();
        old.kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        PgNode promoted = cluster.node(events.promotions.get(0).newPrimary());
        cluster.adoptPromotion(promoted);
        List<PgNode> survivors = cluster.nodes().stream().filter(n -> n != old && n != promoted).toList();
        assertThat(survivors).hasSize(2);
        for (PgNode n : survivors) {
            assertThat(r.status().node(n.name()).orElseThrow().usable())
                    .as(n.name() + ", still on the old timeline, serves no read once the promotion is announced").isFalse();
        }

        long timeline = timeline(promoted);
        // the monitor runs at its default 1 s interval: no checkNow() here, the time is what a user gets
        Await.until("every surviving standby usable for reads on the new timeline", Duration.ofSeconds(30),
                () -> survivors.stream().allMatch(n -> r.status().node(n.name())
                        .filter(s -> s.usable() && s.timeline() == timeline).isPresent()));
        long backMillis = (System.nanoTime() - events.promotedAt.get()) / 1_000_000;
        System.out.printf("[repoint] promotion of %s -> %d standbys serving reads again after %d ms%n",
                promoted.name(), survivors.size(), backMillis);
        assertThat(backMillis).as("ms from the promotion until every surviving standby serves reads").isLessThan(10_000);

        long id = write(r);
        Map<Integer, Integer> ports = new HashMap<>();
        Await.until("both survivors replayed a write made after the promotion", Duration.ofSeconds(10),
                () -> survivors.stream().allMatch(n -> hasRow(n, id)));
        for (int i = 0; i < 60; i++) {
            ports.merge(r.read(em -> Fixture.where(em).port()), 1, Integer::sum);
        }
        for (PgNode n : survivors) {
            assertThat(n.isInRecovery()).as(n.name() + " is a standby").isTrue();
            assertThat(timeline(n)).as(n.name() + " replays the new primary's timeline").isEqualTo(timeline);
            assertThat(ports.getOrDefault(n.port(), 0)).as("reads on %s: %s", n.name(), ports).isPositive();
            assertThat(events.states).contains(n.name() + " repointed", n.name() + " following");
        }

        // the repointed standbys are promotable: kill the new primary too. A standby whose WAL receiver just
        // lost its upstream must still count as on the current timeline (its last restartpoint may be older)
        promoted.kill();
        Await.until("a second promotion", Duration.ofSeconds(20), () -> events.promotions.size() == 2);
        PgNode second = cluster.node(events.promotions.get(1).newPrimary());
        assertThat(survivors).contains(second);
        cluster.adoptPromotion(second);
        PgNode last = survivors.stream().filter(n -> n != second).findFirst().orElseThrow();
        long secondTimeline = timeline(second);
        Await.until("the last standby serving reads on the newest timeline", Duration.ofSeconds(30),
                () -> r.status().node(last.name()).filter(s -> s.usable() && s.timeline() == secondTimeline).isPresent());
        write(r);
    }

    @Test
    void aRoleThatMayNotAlterTheSystemGetsAClearReasonAndTheStandbysStayOutOfReads() throws SQLException {
        createSchemaOnce();
        try (Connection c = cluster.primary().connect(db)) {
            c.createStatement().execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'limited')"
                    + " THEN CREATE ROLE limited LOGIN PASSWORD 'limited-pw'; END IF; END $$");
            c.createStatement().execute("GRANT pg_monitor TO limited");
            c.createStatement().execute("GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO limited");
            c.createStatement().execute("GRANT ALL ON TABLE account TO limited");
        }
        cluster.awaitReplicated(Duration.ofSeconds(10));
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.failover.repoint-standbys", "true", "replication.user", "limited",
                "replication.password", "limited-pw"));
        List<String> failures = new CopyOnWriteArrayList<>();
        r.addListener(new RoutingListener() {
            @Override
            public void nodeStateChanged(String node, String state, String reason) {
                if (state.equals("repoint-failed")) {
                    failures.add(node + ": " + reason);
                }
            }
        });
        write(r);
        PgNode old = cluster.primary();
        old.kill();
        Await.until("both standbys reported as not repointed", Duration.ofSeconds(20), () -> failures.size() >= 2);
        assertThat(failures).allSatisfy(f -> assertThat(f).contains("permission denied")
                .contains("GRANT ALTER SYSTEM ON PARAMETER primary_conninfo").doesNotContain("limited-pw"));
        String promoted = r.status().primary();
        write(r);
        for (PgNode n : cluster.nodes()) {
            if (n != old && !n.name().equals(promoted)) {
                NodeStatus st = r.status().node(n.name()).orElseThrow();
                assertThat(st.usable()).as(n.name()).isFalse();
                assertThat(st.excludedReason()).as(n.name()).startsWith("follows an old primary");
            }
        }
        cluster.adoptPromotion(cluster.node(promoted));
    }

    @Test
    void aStandbyWithWalTheNewPrimaryNeverHadIsReportedAsStrandedAndStaysOutOfReads() throws SQLException {
        createSchemaOnce();
        List<PgNode> standbys = cluster.replicas();
        PgNode behind = standbys.get(0);
        Map<String, Object> settings = new HashMap<>(Map.of("replication.failover", "promote",
                "replication.failover.repoint-standbys", "true", "replication.failover.max-lag-bytes", "67108864"));
        for (PgNode n : standbys.subList(1, standbys.size())) {
            settings.put("replication.replica." + n.name() + ".failover-priority", "0");
        }
        Replication r = replication(settings);
        Events events = new Events();
        r.addListener(events);
        write(r);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        // the only promotable standby stops receiving WAL; the others receive commits it will never have
        try (Connection c = behind.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET primary_conninfo = ''");
            st.execute("SELECT pg_reload_conf()");
        }
        Await.until(behind.name() + " without a WAL receiver", Duration.ofSeconds(10), () -> {
            try (Connection c = behind.connect();
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_wal_receiver")) {
                rs.next();
                return rs.getLong(1) == 0;
            } catch (SQLException e) {
                return false;
            }
        });
        for (int i = 0; i < 20; i++) {
            write(r);
        }
        PgNode diverged = standbys.get(1);
        cluster.awaitReplicated(diverged, Duration.ofSeconds(10));
        PgNode old = cluster.primary();
        old.kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        assertThat(events.promotions.get(0).newPrimary()).isEqualTo(behind.name());
        cluster.adoptPromotion(behind);
        Await.until(diverged.name() + " reported as stranded", Duration.ofSeconds(STRANDED_SECONDS + 20),
                () -> events.states.contains(diverged.name() + " stranded"));
        assertThat(events.states).contains(diverged.name() + " repointed");
        NodeStatus st = r.status().node(diverged.name()).orElseThrow();
        assertThat(st.usable()).isFalse();
        assertThat(st.excludedReason()).startsWith("follows an old primary");
    }

    /** {@code StandbyRepointer.STRANDED_MILLIS}, in seconds (the class is internal). */
    private static final int STRANDED_SECONDS = 30;

    private long timeline(PgNode n) {
        try (Connection c = n.connect(db); ResultSet rs = c.createStatement().executeQuery(
                "SELECT CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)"
                        + " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(n.name() + ": " + e.getMessage(), e);
        }
    }

    private boolean hasRow(PgNode n, long id) {
        try (Connection c = n.connect(db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM account WHERE id = " + id)) {
            rs.next();
            return rs.getLong(1) == 1;
        } catch (SQLException e) {
            return false;
        }
    }
}
