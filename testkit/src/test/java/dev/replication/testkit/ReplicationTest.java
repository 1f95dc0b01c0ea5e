package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@PgClusterTest(replicas = 2)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static String db;

    private final PgCluster cluster;

    ReplicationTest(PgCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    static void setUp(PgCluster cluster) throws SQLException {
        db = cluster.createDatabase("replication_test");
        try (Connection c = connect(cluster.primary(), cluster, db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE item (id int PRIMARY KEY, label text)");
        }
        cluster.awaitReplicated(WAIT);
    }

    @Test
    @Order(1)
    void clusterShape() {
        assertThat(cluster.primary().name()).isEqualTo("node1");
        assertThat(cluster.replicas()).extracting(PgNode::name).containsExactly("node2", "node3");
        assertThat(cluster.nodes()).hasSize(3);
        assertThat(cluster.node("node2").isInRecovery()).isTrue();
        assertThat(cluster.primary().isInRecovery()).isFalse();
        assertThat(cluster.toString()).doesNotContain(cluster.password());
        assertThat(cluster.primary().pid()).isPresent();
        assertThat(cluster.primary().jdbcUrl(db)).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/" + db);
    }

    @Test
    @Order(2)
    void rowWrittenOnPrimaryAppearsOnEveryReplica() throws SQLException {
        insert(cluster.primary(), 1, "everywhere");
        cluster.awaitReplicated(WAIT);
        for (PgNode r : cluster.replicas()) {
            assertThat(label(r, 1)).as(r.name()).isEqualTo("everywhere");
        }
    }

    @Test
    @Order(3)
    void pausedReplayHidesRowsUntilResumed() throws SQLException {
        PgNode paused = cluster.node("node2");
        PgNode other = cluster.node("node3");
        paused.pauseReplay();
        try {
            insert(cluster.primary(), 2, "paused");
            cluster.awaitReplicated(other, WAIT);
            assertThat(label(other, 2)).isEqualTo("paused");
            // awaitReplicated(all) skips paused replicas
            cluster.awaitReplicated(WAIT);
            assertThat(label(paused, 2)).as("row on paused replica").isNull();
            assertThatThrownBy(() -> cluster.awaitReplicated(paused, Duration.ofMillis(300)))
                    .isInstanceOf(PgClusterException.class).hasMessageContaining("node2").hasMessageContaining("replay paused");
            assertThat(label(paused, 2)).as("row on paused replica").isNull();
        } finally {
            paused.resumeReplay();
        }
        cluster.awaitReplicated(paused, WAIT);
        assertThat(label(paused, 2)).isEqualTo("paused");
    }

    @Test
    @Order(4)
    void applyDelayDelaysVisibility() throws SQLException {
        PgNode delayed = cluster.node("node2");
        PgNode other = cluster.node("node3");
        delayed.setApplyDelay(Duration.ofMillis(800));
        try {
            long t0 = System.nanoTime();
            insert(cluster.primary(), 3, "delayed");
            cluster.awaitReplicated(other, WAIT);
            long otherMs = (System.nanoTime() - t0) / 1_000_000;
            cluster.awaitReplicated(delayed, WAIT);
            long delayedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(label(delayed, 3)).isEqualTo("delayed");
            assertThat(delayedMs).as("visible on delayed replica after (ms); undelayed after %d ms", otherMs)
                    .isGreaterThanOrEqualTo(750);
        } finally {
            delayed.setApplyDelay(Duration.ZERO);
        }
        long t0 = System.nanoTime();
        insert(cluster.primary(), 4, "undelayed");
        cluster.awaitReplicated(delayed, WAIT);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("visible after the delay was cleared (ms)").isLessThan(700);
    }

    @Test
    @Order(5)
    void suspendedNodeIsUnresponsiveUntilContinued() throws SQLException {
        PgNode node = cluster.node("node3");
        node.suspend();
        try {
            assertThat(node.isSuspended()).isTrue();
            assertThat(node.isRunning()).isTrue();
            Properties p = new Properties();
            p.setProperty("user", cluster.user());
            p.setProperty("password", cluster.password());
            p.setProperty("connectTimeout", "1");
            p.setProperty("socketTimeout", "1");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> DriverManager.getConnection(node.jdbcUrl(), p).close()).isInstanceOf(SQLException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
            // awaitReplicated(all) does not hang on a suspended replica
            insert(cluster.primary(), 5, "while suspended");
            cluster.awaitReplicated(WAIT);
        } finally {
            node.resumeProcess();
        }
        assertThat(node.isSuspended()).isFalse();
        cluster.awaitReplicated(node, WAIT);
        assertThat(label(node, 5)).isEqualTo("while suspended");
    }

    @Test
    @Order(6)
    void cleanStopAndStartKeepsData() throws SQLException {
        PgNode node = cluster.node("node3");
        node.stop();
        assertThat(node.isRunning()).isFalse();
        assertThat(node.pid()).isEmpty();
        insert(cluster.primary(), 6, "while stopped");
        node.start();
        cluster.awaitReplicated(node, WAIT);
        assertThat(label(node, 6)).isEqualTo("while stopped");
    }

    @Test
    @Order(7)
    void addReplicaAtRuntime(PgCluster injected) throws Exception {
        assertThat(injected).isSameAs(cluster);
        insert(cluster.primary(), 7, "before add");
        // keep writing during the hot base backup
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try (Connection c = connect(cluster.primary(), cluster, db); Statement st = c.createStatement()) {
                for (int i = 1000; !stop.get(); i++) {
                    st.executeUpdate("INSERT INTO item VALUES (" + i + ", repeat('x', 2000))");
                    written.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        PgNode added;
        try {
            added = cluster.addReplica();
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertThat(added.name()).isEqualTo("node4");
        assertThat(cluster.replicas()).contains(added);
        assertThat(added.isInRecovery()).isTrue();
        insert(cluster.primary(), 8, "after add");
        cluster.awaitReplicated(WAIT);
        assertThat(label(added, 7)).isEqualTo("before add");
        assertThat(label(added, 8)).isEqualTo("after add");
        assertThat(written.get()).isGreaterThan(0);
        assertThat(count(added)).isEqualTo(count(cluster.primary()));
        List<PgNode> all = cluster.nodes();
        assertThat(all).extracting(PgNode::name).containsExactly("node1", "node2", "node3", "node4");
    }

    static Connection connect(PgNode node, PgCluster cluster, String database) throws SQLException {
        return DriverManager.getConnection(node.jdbcUrl(database), cluster.user(), cluster.password());
    }

    private void insert(PgNode node, int id, String label) throws SQLException {
        try (Connection c = connect(node, cluster, db); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO item VALUES (" + id + ", '" + label + "')");
        }
    }

    private long count(PgNode node) throws SQLException {
        try (Connection c = connect(node, cluster, db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM item")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String label(PgNode node, int id) throws SQLException {
        try (Connection c = connect(node, cluster, db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT label FROM item WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
