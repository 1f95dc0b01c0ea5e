package dev.replication.it.core;

import dev.replication.NodeStatus;
import dev.replication.PrimaryUnavailableException;
import dev.replication.Replication;
import dev.replication.TransactionOutcomeUnknownException;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Primary failure: promotion, fencing, following an external failover. Each test configures the
 * library for the cluster's current topology, and leaves the cluster with a primary and two
 * streaming replicas.
 */
class FailoverTest extends FailoverTestBase {

    @Override
    protected String database() {
        return "failover";
    }

    private static boolean hasRow(PgNode node, String db, long id) {
        try (Connection c = node.connect(db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM account WHERE id = " + id)) {
            rs.next();
            return rs.getLong(1) == 1;
        } catch (SQLException e) {
            throw new AssertionError(node.name() + ": " + e.getMessage(), e);
        }
    }

    private record Promotion(String oldPrimary, String newPrimary, boolean ours) {
    }

    private static final class Events implements RoutingListener {
        final List<Promotion> promotions = new CopyOnWriteArrayList<>();

        @Override
        public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
            promotions.add(new Promotion(oldPrimary, newPrimary, promotedByUs));
        }
    }

    @Test
    void theOldPrimaryServesReadsAgainOnceReattachedAsAStandby() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "promote"));
        Events events = new Events();
        r.addListener(events);
        write(r);
        PgNode old = cluster.primary();
        old.kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        PgNode promoted = cluster.node(events.promotions.get(0).newPrimary());
        cluster.adoptPromotion(promoted);
        cluster.reattach(old);
        cluster.awaitReplicated(Duration.ofSeconds(30));
        // the old primary keeps its configured name, "primary": reads routed to it must reach it, not the new primary
        Await.until("the old primary usable as a standby", Duration.ofSeconds(30), () -> {
            r.monitor().checkNow();
            return r.status().node("primary").map(NodeStatus::usable).orElse(false);
        });
        // (while it catches up, reads may still fall back to the primary: those are not counted)
        Await.until("a read served by the old primary, now a standby", Duration.ofSeconds(20), () -> {
            r.monitor().checkNow();
            return r.read(em -> Fixture.where(em).port()) == old.port();
        });
        Map<Integer, Integer> ports = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            ports.merge(r.read(em -> Fixture.where(em).port()), 1, Integer::sum);
        }
        assertThat(ports.getOrDefault(old.port(), 0)).as("reads on the old primary, now a standby: %s", ports).isPositive();
        assertThat(ports).as("no read on the new primary (primary.read-weight 0)").doesNotContainKey(promoted.port());
    }

    /** Kills the primary under write load; returns ms from SIGKILL to the first successful write. */
    private long killPrimaryAndTimeRecovery() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "promote"));
        Events events = new Events();
        r.addListener(events);
        for (int i = 0; i < 20; i++) {
            write(r);
        }
        PgNode old = cluster.primary();
        long killed = System.nanoTime();
        old.kill();
        long firstSuccess = -1;
        int failures = 0;
        while (System.nanoTime() - killed < Duration.ofSeconds(30).toNanos()) {
            try {
                long id = write(r);
                firstSuccess = System.nanoTime();
                String primaryName = r.status().primary();
                PgNode promoted = cluster.node(primaryName.equals("primary") ? old.name() : primaryName);
                assertThat(promoted).isNotSameAs(old);
                assertThat(hasRow(promoted, db, id)).isTrue();
                break;
            } catch (RuntimeException e) {
                failures++;
                LockSupport.parkNanos(10_000_000L);
            }
        }
        assertThat(firstSuccess).as("a write succeeded after the promotion").isPositive();
        assertThat(failures).as("writes failed while the primary was down").isPositive();
        assertThat(events.promotions).hasSize(1);
        assertThat(events.promotions.get(0).ours()).isTrue();
        cluster.adoptPromotion(cluster.node(events.promotions.get(0).newPrimary()));
        // more writes keep working without restarting anything
        for (int i = 0; i < 5; i++) {
            write(r);
        }
        return (firstSuccess - killed) / 1_000_000;
    }

    @Test
    void promoteModeRecoversWritesAfterThePrimaryIsKilled() {
        long[] ms = new long[3];
        for (int run = 0; run < 3; run++) {
            ms[run] = killPrimaryAndTimeRecovery();
            heal();
        }
        Arrays.sort(ms);
        System.out.printf("[failover] SIGKILL primary -> first successful write: %s ms, median %d ms%n",
                Arrays.toString(ms), ms[1]);
        // The goal is < 1.5 s (median 0.86 s on a quiet machine, in the README). What the test holds the code
        // to is the mechanism: without the fast re-checks after a refused connection, 3 failed checks at the
        // 1 s interval alone take 3 s; with them the median stays well below that even on a loaded machine
        // (1.58 s seen while other builds ran).
        assertThat(ms[1]).as("median ms from SIGKILL to first successful write").isLessThan(2_500);
    }

    @Test
    void aPrimaryStoppedForTwoSecondsIsNotPromotedAway() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "promote"));
        Events events = new Events();
        r.addListener(events);
        write(r);
        PgNode primary = cluster.primary();
        primary.suspend();
        long stopped = System.nanoTime();
        try {
            // write attempts meanwhile time out; none may count as a hard failure
            while (System.nanoTime() - stopped < Duration.ofSeconds(2).toNanos()) {
                try {
                    write(r);
                } catch (RuntimeException e) {
                    LockSupport.parkNanos(50_000_000L);
                }
            }
        } finally {
            primary.resumeProcess();
        }
        Await.until("writes on the same primary", Duration.ofSeconds(10), () -> {
            try {
                return hasRow(primary, db, write(r));
            } catch (RuntimeException e) {
                return false;
            }
        });
        r.monitor().checkNow();
        assertThat(events.promotions).isEmpty();
        assertThat(cluster.replicas()).allMatch(PgNode::isInRecovery);
    }

    @Test
    void theMostCaughtUpStandbyIsPromoted() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "promote"));
        Events events = new Events();
        r.addListener(events);
        PgNode behind = cluster.replicas().get(0);
        PgNode ahead = cluster.replicas().get(1);
        behind.pauseReplay();
        for (int i = 0; i < 20; i++) {
            write(r);
        }
        cluster.awaitReplicated(ahead, Duration.ofSeconds(10));
        r.monitor().checkNow();
        cluster.primary().kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        assertThat(events.promotions.get(0).newPrimary()).isEqualTo(ahead.name());
        cluster.adoptPromotion(ahead);
        // the paused standby still follows the dead primary: it is not used for reads
        r.monitor().checkNow();
        r.monitor().checkNow();
        int port = r.read(em -> Fixture.where(em).port());
        assertThat(port).isNotEqualTo(behind.port());
    }

    @Test
    void anOldPrimaryThatComesBackIsFencedAndNeverWrittenTo() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "promote"));
        Events events = new Events();
        r.addListener(events);
        PgNode old = cluster.primary();
        old.kill();
        Await.until("a promotion", Duration.ofSeconds(20), () -> !events.promotions.isEmpty());
        PgNode promoted = cluster.node(events.promotions.get(0).newPrimary());
        cluster.adoptPromotion(promoted);
        old.start(); // comes back as a primary on the old timeline: split brain if anyone wrote to it
        Await.until("old primary fenced", Duration.ofSeconds(10), () -> r.status().node("primary")
                .map(s -> s.excludedReason() != null && s.excludedReason().contains("fenced")).orElse(false));
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            written.add(write(r));
        }
        for (int i = 0; i < 20; i++) {
            int port = r.read(em -> Fixture.where(em).port());
            assertThat(port).isNotEqualTo(old.port());
        }
        for (long id : written) {
            assertThat(hasRow(promoted, db, id)).isTrue();
            assertThat(hasRow(old, db, id)).as("row %d on the fenced old primary", id).isFalse();
        }
    }

    @Test
    void discoverModeFollowsAnExternalPromotionWithoutPromotingAnything() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "discover"));
        Events events = new Events();
        r.addListener(events);
        write(r);
        PgNode old = cluster.primary();
        PgNode target = cluster.replicas().get(1);
        old.stop();
        target.promote(); // the "external" failover (Patroni, a cloud service...)
        Await.until("library follows", Duration.ofSeconds(15), () -> !events.promotions.isEmpty());
        assertThat(events.promotions.get(0)).isEqualTo(new Promotion("primary", target.name(), false));
        long id = write(r);
        assertThat(hasRow(target, db, id)).isTrue();
        // the other replica was never promoted by the library
        assertThat(cluster.replicas().get(0).isInRecovery()).isTrue();
    }

    @Test
    void manualModeFailsWritesClearlyUntilAnOperatorPromotes() {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "manual"));
        PgNode old = cluster.primary();
        old.kill();
        assertThatThrownBy(() -> write(r)).isInstanceOf(PrimaryUnavailableException.class)
                .hasMessageContaining("primary");
        // reads keep working on the replicas meanwhile
        int port = r.read(em -> Fixture.where(em).port());
        assertThat(port).isIn(cluster.replicas().stream().map(PgNode::port).toList());
        PgNode target = cluster.replicas().get(0);
        r.promote(target.name());
        cluster.adoptPromotion(target);
        long id = write(r);
        assertThat(hasRow(target, db, id)).isTrue();
    }

    @Test
    void aWriteInFlightWhenThePrimaryDiesReportsAnUnknownOutcome() {
        createSchemaOnce();
        Replication r = replication(Map.of());
        PgNode primary = cluster.primary();
        assertThatThrownBy(() -> r.write(em -> {
            em.persist(new Account(ids.incrementAndGet(), "inflight", 1));
            em.flush();
            primary.kill();
            return null;
        })).isInstanceOf(TransactionOutcomeUnknownException.class)
                .hasMessageContaining("may or may not have been committed");
    }

    @Test
    void aConnectionLostInsideAWriteIsReportedNotHiddenAsNotFound() {
        createSchemaOnce();
        // without the second-level cache, so that the second find() really goes to the database
        Replication r = replication(Map.of("hibernate.cache.use_second_level_cache", "false"));
        long first = write(r);
        long second = write(r);
        PgNode primary = cluster.primary();
        assertThatThrownBy(() -> r.write(em -> {
            assertThat(em.find(Account.class, first)).isNotNull();
            primary.kill();
            Await.until("primary marked down", Duration.ofSeconds(10), () -> !r.status().node("primary").orElseThrow().up());
            // Hibernate's find() may answer null here instead of throwing (HHH-12472)
            if (em.find(Account.class, second) == null) {
                throw new IllegalStateException("account " + second + " not found");
            }
            return null;
        })).isInstanceOf(PrimaryUnavailableException.class)
                .hasMessageContaining("was not committed");
    }
}
