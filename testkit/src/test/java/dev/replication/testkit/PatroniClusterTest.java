package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.testkit.internal.PatroniRest;
import dev.replication.testkit.internal.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One 3-member Patroni cluster for the class; the tests run in order and each leaves a writable
 * leader with every running member streaming. Each test is skipped (with the reason) when
 * patroni/etcd or the PostgreSQL tools are not installed (an assumption per test, so that the
 * skips are counted). Prints the measured times.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatroniClusterTest {
    private static final int TTL = 10;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static PatroniCluster cluster;
    private static final List<Long> seenPids = new ArrayList<>();
    private static Path dir;

    @BeforeAll
    static void start() {
        if (!PatroniCluster.availability().present()) {
            return;
        }
        long t0 = System.nanoTime();
        cluster = PatroniCluster.builder().members(3).ttl(TTL).loopWait(2).retryTimeout(4)
                .tags("pg3", new PatroniTags(false, true)).password("pa'ss \\word").start();
        time("start: etcd + 3 members, leader + 2 streaming", t0);
        dir = cluster.directory();
    }

    @BeforeEach
    void requirePatroni() {
        PatroniCluster.availability().assumePresent();
    }

    @AfterAll
    static void stop() {
        if (cluster == null) {
            return;
        }
        cluster.members().forEach(m -> {
            m.patroniPid().ifPresent(seenPids::add);
            m.postmasterPid().ifPresent(seenPids::add);
        });
        long t0 = System.nanoTime();
        cluster.close();
        time("close", t0);
        assertThat(seenPids).noneMatch(Signals::alive);
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    @Order(1)
    void leaderAndStreamingReplicasServeWritesAndReads() throws Exception {
        PatroniMember leader = cluster.leader();
        assertThat(leader.isInRecovery()).isFalse();
        assertThat(leader.role()).isEqualTo("leader");
        List<PatroniMemberStatus> view = cluster.cluster();
        assertThat(view).hasSize(3);
        assertThat(view).filteredOn(PatroniMemberStatus::isStreamingReplica).hasSize(2);
        assertThat(cluster.restUrls()).hasSize(3).allMatch(u -> u.startsWith("http://127.0.0.1:"));
        assertThat(cluster.etcdEndpoint()).startsWith("http://127.0.0.1:");

        String db = cluster.createDatabase("patroni_kit");
        exec(leader, db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        PatroniMember replica = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
        assertThat(replica.isInRecovery()).isTrue();
        Await.until("row 1 on " + replica.name(), WAIT, () -> count(replica, db) == 1);
    }

    @Test
    @Order(2)
    void noloadbalanceTagVisibleAndChangeableWithSighup() throws Exception {
        PatroniMember pg3 = cluster.member("pg3");
        assertThat(pg3.status().orElseThrow().noloadbalance()).isTrue();
        assertThat(cluster.member("pg2").status().orElseThrow().noloadbalance()).isFalse();
        if (!pg3.role().equals("leader")) {
            assertThat(PatroniRest.get(pg3.restUrl() + "/replica", Duration.ofSeconds(3)).status()).isEqualTo(503);
        }
        long pid = pg3.patroniPid().orElseThrow();
        pg3.setTags(PatroniTags.NONE);
        assertThat(pg3.status().orElseThrow().tags()).isEmpty();
        pg3.setTags(new PatroniTags(false, true));
        assertThat(pg3.status().orElseThrow().noloadbalance()).isTrue();
        assertThat(pg3.patroniPid()).hasValue(pid);

        PatroniMember leader = cluster.leader();
        PatroniMember replica = cluster.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
        replica.setTags(replica.tags().withNofailover(true));
        assertThatThrownBy(() -> cluster.switchover(replica)).isInstanceOf(PgClusterException.class)
                .hasMessageContaining("HTTP 412");
        assertThat(cluster.leader()).isSameAs(leader);
        replica.setTags(replica.tags().withNofailover(false));
    }

    @Test
    @Order(3)
    void killPostgresOfLeaderRepromotesSameMemberOnNewTimeline() {
        PatroniMember leader = cluster.awaitLeader(WAIT);
        int timeline = leader.status().orElseThrow().timeline();
        long patroni = leader.patroniPid().orElseThrow();
        long t0 = System.nanoTime();
        long killed = leader.killPostgres();
        Await.until("a writable leader on a timeline after " + timeline, WAIT, () -> writableLeaderAfter(timeline));
        PatroniMember again = cluster.awaitLeader(WAIT);
        time("killPostgres(leader) -> same member writable leader again", t0);
        assertThat(again).isSameAs(leader);
        assertThat(leader.patroniPid()).hasValue(patroni);
        assertThat(leader.postmasterPid().orElseThrow()).isNotEqualTo(killed);
        long t1 = System.nanoTime();
        cluster.awaitMembersStreaming(WAIT);
        time("  ... replicas streaming again", t1);
    }

    @Test
    @Order(4)
    void switchoverToAReplica() {
        PatroniMember old = cluster.awaitLeader(WAIT);
        PatroniMember candidate = cluster.members().stream().filter(m -> m != old).findFirst().orElseThrow();
        long t0 = System.nanoTime();
        assertThat(cluster.switchover(candidate)).isSameAs(candidate);
        time("switchover " + old.name() + " -> " + candidate.name() + " (candidate writable)", t0);
        assertThat(cluster.leader()).isSameAs(candidate);
        long t1 = System.nanoTime();
        cluster.awaitMembersStreaming(WAIT);
        time("  ... old leader streaming as replica", t1);
        assertThat(old.isInRecovery()).isTrue();
    }

    @Test
    @Order(5)
    void killPatroniOfLeaderFailsOverAndOldLeaderRejoins() throws Exception {
        PatroniMember old = cluster.awaitLeader(WAIT);
        String db = "patroni_kit";
        exec(old, db, "INSERT INTO t VALUES (5)");
        long t0 = System.nanoTime();
        old.killPatroni();
        assertThat(old.isPatroniRunning()).isFalse();
        assertThat(old.postmasterPid()).isEmpty();
        PatroniMember next = cluster.awaitNewLeader(old, Duration.ofSeconds(TTL + 20));
        Duration failover = time("killPatroni(leader) -> other member writable leader", t0);
        assertThat(failover).isLessThan(Duration.ofSeconds(TTL + 15));
        assertThat(count(next, db)).isEqualTo(2);
        exec(next, db, "INSERT INTO t VALUES (6)");

        long t1 = System.nanoTime();
        old.start();
        cluster.awaitMembersStreaming(WAIT);
        time("start() of killed old leader -> streaming replica", t1);
        assertThat(old.role()).isEqualTo("replica");
        assertThat(old.isInRecovery()).isTrue();
        Await.until("row 6 on " + old.name(), WAIT, () -> count(old, db) == 3);
    }

    @Test
    @Order(6)
    void addMemberStreamsAndRemoveMemberVanishes() throws Exception {
        long t0 = System.nanoTime();
        PatroniMember added = cluster.addMember();
        time("addMember -> " + added.name() + " streaming", t0);
        assertThat(added.name()).isEqualTo("pg4");
        assertThat(added.isInRecovery()).isTrue();
        assertThat(cluster.cluster()).extracting(PatroniMemberStatus::name).contains("pg4");
        Await.until("rows on pg4", WAIT, () -> count(added, "patroni_kit") == 3);

        long t1 = System.nanoTime();
        cluster.removeMember(added);
        time("removeMember(pg4) -> gone from /cluster", t1);
        assertThat(cluster.cluster()).extracting(PatroniMemberStatus::name).doesNotContain("pg4");
        assertThat(cluster.members()).doesNotContain(added);
        assertThat(Files.exists(added.dataDir())).isFalse();
    }

    @Test
    @Order(7)
    void etcdDownDemotesTheLeaderAndEtcdBackRestoresIt() {
        PatroniMember leader = cluster.awaitLeader(WAIT);
        long t0 = System.nanoTime();
        cluster.stopEtcd();
        Await.until(leader.name() + " no longer writable while etcd is down", WAIT, () -> !writable(leader));
        time("stopEtcd -> leader no longer writable", t0);
        long t1 = System.nanoTime();
        cluster.startEtcd();
        PatroniMember back = cluster.awaitLeader(WAIT);
        time("startEtcd -> writable leader (" + back.name() + ")", t1);
        cluster.awaitMembersStreaming(WAIT);
        time("  ... all members streaming", t1);
    }

    private static boolean writable(PatroniMember m) {
        try {
            return !m.isInRecovery();
        } catch (PgClusterException e) {
            return false;
        }
    }

    private static Duration time(String what, long t0) {
        Duration d = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("PATRONI-TIME %-60s %6d ms%n", what, d.toMillis());
        return d;
    }

    private static boolean writableLeaderAfter(int timeline) {
        try {
            PatroniMemberStatus l = cluster.cluster().stream().filter(PatroniMemberStatus::isLeader).findFirst().orElse(null);
            return l != null && "running".equals(l.state()) && l.timeline() != null && l.timeline() > timeline
                    && !cluster.member(l.name()).isInRecovery();
        } catch (PgClusterException e) {
            return false;
        }
    }

    private static void exec(PatroniMember m, String db, String... sql) throws SQLException {
        try (Connection c = m.connect(db); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static long count(PatroniMember m, String db) {
        try (Connection c = m.connect(db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }
}
