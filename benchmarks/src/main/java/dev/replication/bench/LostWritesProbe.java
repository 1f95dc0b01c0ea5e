package dev.replication.bench;

import dev.replication.Promotion;
import dev.replication.Replication;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import org.hibernate.Session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Lost bytes reported vs rows actually missing: one writer thread inserts rows through the library
 * ({@code replication.failover=promote}, asynchronous replication, {@code max-lag-bytes} raised to
 * 64 MB) and logs every acknowledged id; the primary is SIGKILLed; the {@link Promotion} event's
 * possibly-lost bytes are compared with the acknowledged ids missing on the promoted node.
 * <p>
 * To lose acknowledged commits for real, {@link Mode#STANDBYS_DISCONNECTED} stops the standbys from
 * receiving WAL before the kill: {@code primary_conninfo} set to '' (ALTER SYSTEM, reload) ends their
 * WAL receivers while they stay in recovery, healthy and promotable. (Pausing replay is not enough:
 * a paused standby still receives WAL, and promotion replays all of it.) Commits acknowledged after
 * that exist only on the old primary. {@link Mode#STREAMING} kills the primary with the standbys streaming.
 * The cluster is healed afterwards (the killed and the other standby re-attached). Used by the benchmark
 * and its test.
 */
final class LostWritesProbe {

    static final String DB = "lostwrites";
    private static final long MAX_LAG_BYTES = 64L << 20;

    /** How the standbys stand when the primary is killed. */
    enum Mode {
        /** streaming normally (asynchronous) */
        STREAMING,
        /** WAL receivers stopped 0.5 s before the kill, the writer going on */
        STANDBYS_DISCONNECTED
    }

    /**
     * One kill.
     *
     * @param mode              the standbys' state at the kill
     * @param promotion         the library's promotion event
     * @param acked             writes acknowledged in all
     * @param ackedUnreceived   writes acknowledged after both standbys had stopped receiving (0 when streaming)
     * @param ackedWhileStopping writes acknowledged after the first standby was told to stop receiving: the
     *                          acknowledged rows missing on the promoted node lie between the two
     * @param missing           acknowledged ids missing on the promoted node
     */
    record Result(Mode mode, Promotion promotion, int acked, int ackedUnreceived, int ackedWhileStopping, int missing) {

        long reportedBytes() {
            return promotion.possiblyLostBytes();
        }

        /** Reported 0 bytes exactly when no acknowledged row is missing (and the range is known). */
        boolean agrees() {
            return reportedBytes() >= 0 && (reportedBytes() == 0) == (missing == 0);
        }
    }

    private LostWritesProbe() {
    }

    static Result run(PgCluster cluster, Mode mode) throws Exception {
        if (!databaseExists(cluster)) {
            cluster.createDatabase(DB);
            try (Connection c = cluster.primary().connect(DB); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE lost_probe (id bigint PRIMARY KEY)");
            }
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
        long base;
        try (Connection c = cluster.primary().connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM lost_probe")) {
            rs.next();
            base = rs.getLong(1);
        }
        Map<String, String> replicas = new LinkedHashMap<>();
        cluster.replicas().forEach(r -> replicas.put(r.name(), r.jdbcUrl(DB)));
        Replication lib = TwoInstanceApp.open(cluster.primary().jdbcUrl(DB), replicas, cluster.user(), cluster.password(),
                Map.of("replication.failover", "promote", "replication.failover.max-lag-bytes", String.valueOf(MAX_LAG_BYTES)));
        AtomicReference<Promotion> promoted = new AtomicReference<>();
        lib.addListener(new RoutingListener() {
            @Override
            public void promoted(Promotion p) {
                promoted.compareAndSet(null, p);
            }
        });
        List<Long> acked = new CopyOnWriteArrayList<>();
        AtomicLong nextId = new AtomicLong(base);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong afterKill = new AtomicLong();
        AtomicBoolean killed = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                long id = nextId.incrementAndGet();
                try {
                    lib.write(em -> {
                        em.unwrap(Session.class).doWork(c -> {
                            try (PreparedStatement ps = c.prepareStatement("INSERT INTO lost_probe (id) VALUES (?)")) {
                                ps.setLong(1, id);
                                ps.executeUpdate();
                            }
                        });
                        return null;
                    });
                    acked.add(id);
                    if (killed.get()) {
                        afterKill.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    // not acknowledged: neither counted nor expected
                }
                Harness.sleep(5);
            }
        }, "lost-writes-writer");
        PgNode old = cluster.primary();
        PgNode newPrimary;
        int stopping = -1;
        int unreceivedFrom = -1;
        int beforeKill;
        int afterKilled;
        try {
            writer.start();
            Await.until("200 acknowledged writes", Duration.ofSeconds(30), () -> acked.size() >= 200);
            if (mode == Mode.STANDBYS_DISCONNECTED) {
                stopping = acked.size();
                for (PgNode r : cluster.replicas()) {
                    stopReceiving(r);
                }
                unreceivedFrom = acked.size();
                int from = unreceivedFrom;
                Await.until("50 writes acknowledged by the primary alone", Duration.ofSeconds(30),
                        () -> acked.size() >= from + 50);
            }
            beforeKill = acked.size();
            killed.set(true);
            old.kill();
            afterKilled = acked.size();
            Await.until("a promotion", Duration.ofSeconds(30), () -> promoted.get() != null);
            Await.until("writes acknowledged after the promotion", Duration.ofSeconds(30),
                    () -> afterKill.get() >= 20);
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        Promotion p = promoted.get();
        newPrimary = cluster.node(p.newPrimary());
        cluster.adoptPromotion(newPrimary);
        int missing = missing(newPrimary, acked);
        lib.entityManagerFactory().close();
        for (PgNode n : cluster.nodes()) {
            if (n != newPrimary) {
                cluster.reattach(n);
            }
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
        return new Result(mode, p, acked.size(), unreceivedFrom < 0 ? 0 : beforeKill - unreceivedFrom,
                stopping < 0 ? 0 : afterKilled - stopping, missing);
    }

    /** Ends the standby's WAL receiver (it stays in recovery, answering queries) and waits until it is gone. */
    private static void stopReceiving(PgNode standby) throws SQLException {
        try (Connection c = standby.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET primary_conninfo = ''");
            st.execute("SELECT pg_reload_conf()");
        }
        Await.until(standby.name() + " without a WAL receiver", Duration.ofSeconds(10), () -> {
            try (Connection c = standby.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_wal_receiver")) {
                rs.next();
                return rs.getLong(1) == 0;
            } catch (SQLException e) {
                return false;
            }
        });
    }

    private static int missing(PgNode node, List<Long> acked) throws SQLException {
        Set<Long> present = new HashSet<>();
        try (Connection c = node.connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM lost_probe")) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        }
        return (int) acked.stream().filter(id -> !present.contains(id)).count();
    }

    private static boolean databaseExists(PgCluster cluster) throws SQLException {
        try (Connection c = cluster.primary().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + DB + "'")) {
            rs.next();
            return rs.getLong(1) == 1;
        }
    }
}
