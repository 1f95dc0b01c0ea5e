package dev.replication.it.core;

import dev.replication.Replication;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Promote mode with a standby that someone else (another application instance, an operator) promoted
 * and that this instance had already seen out of recovery, and fenced, before its own primary failed:
 * it must be followed, and no second standby promoted (two primaries on the same timeline: split brain).
 * Found by the two-JVM run of the benchmarks module ({@code TwoInstanceFailoverTest}): the instance that
 * lost the race fenced the other's new primary and promoted the remaining standby.
 */
class PromotedElsewhereTest extends FailoverTestBase {

    @Override
    protected String database() {
        return "elsewhere";
    }

    private static final class Changes implements RoutingListener {
        final List<String> changes = new CopyOnWriteArrayList<>();

        @Override
        public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
            changes.add(oldPrimary + " -> " + newPrimary + (promotedByUs ? " (promoted by us)" : " (followed)"));
        }
    }

    @Test
    void aStandbyPromotedElsewhereAndAlreadyFencedIsFollowedWhenThePrimaryFails() {
        followsAStandbyPromotedElsewhere(false);
    }

    /** The other standby may not be promoted: nothing to promote, the one promoted elsewhere is followed on its own. */
    @Test
    void aStandbyPromotedElsewhereIsFollowedWhenNoOtherStandbyMayBePromoted() {
        followsAStandbyPromotedElsewhere(true);
    }

    private void followsAStandbyPromotedElsewhere(boolean noOtherCandidate) {
        createSchemaOnce();
        PgNode old = cluster.primary();
        PgNode bystander = cluster.replicas().get(0);
        PgNode promotedElsewhere = cluster.replicas().get(1);
        Replication r = replication(noOtherCandidate
                ? Map.of("replication.failover", "promote", "replication.replica." + bystander.name() + ".failover-priority", "0")
                : Map.of("replication.failover", "promote"));
        Changes events = new Changes();
        r.addListener(events);
        write(r);
        promotedElsewhere.promote();
        Await.until("the library sees " + promotedElsewhere.name() + " out of recovery", Duration.ofSeconds(10), () -> {
            r.monitor().checkNow();
            return r.status().node(promotedElsewhere.name())
                    .map(s -> s.excludedReason() != null && s.excludedReason().contains("fenced")).orElse(false);
        });
        old.kill();
        Await.until("writes work again", Duration.ofSeconds(20), () -> {
            try {
                write(r);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
        assertThat(bystander.isInRecovery()).as("%s promoted as a second primary; library events %s",
                bystander.name(), events.changes).isTrue();
        assertThat(r.status().primary()).isEqualTo(promotedElsewhere.name());
        assertThat(events.changes).containsExactly("primary -> " + promotedElsewhere.name() + " (followed)");
    }

    @Test
    void aStandbyThatLeftRecoveryFarBehindThePrimaryIsNotFollowed() throws SQLException {
        createSchemaOnce();
        Replication r = replication(Map.of("replication.failover", "promote",
                "replication.failover.max-lag-bytes", "100000"));
        Changes events = new Changes();
        r.addListener(events);
        PgNode old = cluster.primary();
        PgNode caughtUp = cluster.replicas().get(0);
        PgNode forked = cluster.replicas().get(1);
        // promoted by mistake and left running: it forked before everything written from now on
        forked.promote();
        String lsn;
        try (Connection c = old.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE filler AS SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 5000) g");
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                lsn = rs.getString(1);
            }
        }
        write(r);
        Await.until(caughtUp.name() + " replayed " + lsn, Duration.ofSeconds(20), () -> {
            try (Connection c = caughtUp.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")) {
                rs.next();
                return rs.getBoolean(1);
            } catch (SQLException e) {
                return false;
            }
        });
        r.monitor().checkNow();
        old.kill();
        Await.until("writes work again", Duration.ofSeconds(20), () -> {
            try {
                write(r);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
        assertThat(r.status().primary()).as("library events %s", events.changes).isEqualTo(caughtUp.name());
        assertThat(events.changes).containsExactly("primary -> " + caughtUp.name() + " (promoted by us)");
        cluster.adoptPromotion(caughtUp);
    }
}
