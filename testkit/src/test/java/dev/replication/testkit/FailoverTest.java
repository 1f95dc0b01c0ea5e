package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.testkit.internal.Signals;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Crash of the primary, promotion, re-attachment, and close leaving no process behind. */
class FailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void killPromoteReattachAndClose() throws Exception {
        List<Long> pids = new ArrayList<>();
        PgCluster cluster = PgCluster.builder().replicas(2).password("s3cr'et \\pw").start();
        try {
            PgNode node1 = cluster.node("node1");
            PgNode node2 = cluster.node("node2");
            PgNode node3 = cluster.node("node3");
            String db = cluster.createDatabase("failover");
            exec(cluster, node1, db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            cluster.awaitReplicated(WAIT);
            collect(cluster, pids);

            // crash the primary: postmaster and every child are gone
            List<Long> tree = Signals.tree(node1.pid().orElseThrow());
            assertThat(tree.size()).isGreaterThan(3);
            node1.kill();
            assertThat(node1.isRunning()).isFalse();
            assertThat(tree).noneMatch(Signals::alive);

            node2.promote();
            assertThat(cluster.primary()).isSameAs(node2);
            assertThat(node2.isInRecovery()).isFalse();
            assertThat(node1.role()).isEqualTo(PgNode.Role.DETACHED);
            assertThat(cluster.replicas()).containsExactly(node3);
            exec(cluster, node2, db, "INSERT INTO t VALUES (2)");

            // the other replica still follows the dead primary; re-attach it to the new one
            cluster.reattach(node3);
            assertThat(node3.upstream()).contains(node2);
            exec(cluster, node2, db, "INSERT INTO t VALUES (3)");
            cluster.awaitReplicated(node3, WAIT);
            assertThat(ids(cluster, node3, db)).containsExactly(1, 2, 3);

            // the killed old primary comes back as a replica of the new primary
            cluster.reattach(node1);
            assertThat(node1.role()).isEqualTo(PgNode.Role.REPLICA);
            assertThat(node1.isInRecovery()).isTrue();
            exec(cluster, node2, db, "INSERT INTO t VALUES (4)");
            cluster.awaitReplicated(WAIT);
            assertThat(ids(cluster, node1, db)).containsExactly(1, 2, 3, 4);
            assertThat(ids(cluster, node3, db)).containsExactly(1, 2, 3, 4);

            // a killed replica starts again with its own data dir and catches up
            node3.kill();
            exec(cluster, node2, db, "INSERT INTO t VALUES (5)");
            node3.start();
            cluster.awaitReplicated(node3, WAIT);
            assertThat(ids(cluster, node3, db)).containsExactly(1, 2, 3, 4, 5);
            collect(cluster, pids);
            node1.suspend(); // close must cope with a suspended server
        } finally {
            cluster.close();
        }
        assertThat(pids).isNotEmpty();
        assertThat(pids).as("processes of the closed cluster").noneMatch(Signals::alive);
        assertThat(Files.exists(cluster.directory())).isFalse();
    }

    private static void collect(PgCluster cluster, List<Long> pids) {
        for (PgNode n : cluster.nodes()) {
            n.pid().ifPresent(pm -> pids.addAll(Signals.tree(pm)));
        }
    }

    private static void exec(PgCluster cluster, PgNode node, String db, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(node.jdbcUrl(db), cluster.user(), cluster.password());
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static List<Integer> ids(PgCluster cluster, PgNode node, String db) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(node.jdbcUrl(db), cluster.user(), cluster.password());
                Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM t ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
