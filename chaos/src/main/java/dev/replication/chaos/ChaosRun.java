package dev.replication.chaos;

import dev.replication.ClusterStatus;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.RoutingDecision;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * One chaos run: a testkit cluster (primary + 2 replicas), the library over it with
 * {@code failover=promote}, the {@link Load}, the {@link Nemesis} until the quiet phase, then the
 * final state of the primary. Phases: warm-up (no faults), faults, quiet (load only, at least
 * {@link #QUIET_SECONDS}).
 */
final class ChaosRun {

    static final String DB = "chaos";
    static final int WARMUP_SECONDS = 3;
    static final int QUIET_SECONDS = 12;
    static final String SYNCHRONOUS_STANDBYS = "ANY 1 (*)";
    static final Duration PRIMARY_KILL_EVERY = Duration.ofSeconds(150);

    private final ChaosOptions options;
    private final Bounds bounds = Bounds.defaults(3);

    ChaosRun(ChaosOptions options) {
        this.options = options;
    }

    Bounds bounds() {
        return bounds;
    }

    History run() throws Exception {
        History h = new History();
        ChaosMain.progress(h, "seed " + options.seed() + " (replay with -Dchaos.seed=" + options.seed() + "), "
                + options.seconds() + " s; starting a testkit cluster (primary + 2 replicas"
                + (options.synchronous() ? ", synchronous_standby_names '" + SYNCHRONOUS_STANDBYS + "'" : "") + ")");
        try (PgCluster cluster = PgCluster.builder().replicas(2).maxConnections(200).start()) {
            h.initialPrimary = cluster.primary().name();
            seed(cluster);
            if (options.synchronous()) {
                synchronous(cluster);
            }
            Map<Integer, String> byPort = cluster.nodes().stream().collect(Collectors.toMap(PgNode::port, PgNode::name));
            EntityManagerFactory emf = Persistence.createEntityManagerFactory("chaos", library(cluster));
            try {
                Replication rep = Replication.of(emf);
                rep.addListener(new Recorder(rep, h));
                rep.monitor().checkNow();
                drive(cluster, rep, h, byPort);
            } finally {
                emf.close();
            }
        }
        return h;
    }

    private void drive(PgCluster cluster, Replication rep, History h, Map<Integer, String> byPort) throws Exception {
        Load load = new Load(rep, h, byPort, options.seed());
        long t0 = System.nanoTime();
        ChaosMain.progress(h, "cluster and library ready; times from here on count from the start of the load");
        h.t0 = t0;
        h.faultsFrom = t0 + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
        long faultsUntil = t0 + TimeUnit.SECONDS.toNanos(options.seconds() - QUIET_SECONDS);
        Random schedule = new Random(options.seed());
        long window = faultsUntil - h.faultsFrom;
        // one primary SIGKILL per started PRIMARY_KILL_EVERY of the fault phase, in the first half of its slice
        // (its healing takes ~10-20 s); none in a fault phase shorter than 25 s
        List<Long> primaryKills = new ArrayList<>();
        if (window >= TimeUnit.SECONDS.toNanos(25)) {
            int kills = (int) Math.max(1, window / PRIMARY_KILL_EVERY.toNanos());
            long slice = window / kills;
            for (int i = 0; i < kills; i++) {
                primaryKills.add(h.faultsFrom + i * slice + (long) (slice * (0.15 + 0.35 * schedule.nextDouble())));
            }
        }
        load.start(options.writers(), options.readers());
        ChaosMain.progress(h, "load started: " + options.writers() + " writers, " + options.readers()
                + " token readers, " + options.readers() + " plain readers");
        sleepUntil(h.faultsFrom);
        new Nemesis(cluster, h, load, bounds, schedule.nextLong()).run(faultsUntil, primaryKills);
        h.quietFrom = System.nanoTime();
        h.standbysAtQuiet = cluster.replicas().stream().filter(PgNode::isRunning).map(PgNode::name).toList();
        ChaosMain.progress(h, "faults stopped; quiet phase, standbys " + h.standbysAtQuiet + "\n"
                + rep.status().describe());
        sleepUntil(Math.max(h.quietFrom + TimeUnit.SECONDS.toNanos(QUIET_SECONDS), t0 + TimeUnit.SECONDS.toNanos(options.seconds())));
        load.stop();
        h.end = System.nanoTime();
        h.stuckThreads = join(load.threads(), bounds.callBound());
        h.finalPrimary = cluster.primary().name();
        h.finalRows = finalRows(cluster.primary());
        String libPrimary = rep.status().primary();
        if (!libPrimary.equals(h.finalPrimary)) {
            ChaosMain.progress(h, "NOTE: the library's primary is " + libPrimary + ", the testkit's " + h.finalPrimary);
        }
        ChaosMain.progress(h, "load stopped: " + h.ops().size() + " operations, " + h.faults().size() + " faults, "
                + h.finalRows.size() + " rows on the final primary " + h.finalPrimary);
    }

    private static List<String> join(List<Thread> threads, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        List<String> stuck = new ArrayList<>();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                stuck.add(t.getName() + "\n" + Arrays.stream(t.getStackTrace())
                        .map(e -> "    at " + e).collect(Collectors.joining("\n")));
            }
        }
        return stuck;
    }

    private static void seed(PgCluster cluster) throws SQLException {
        cluster.createDatabase(DB);
        try (Connection c = cluster.primary().connect(DB); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE chaos_row (id bigint PRIMARY KEY, writer int NOT NULL, seq bigint NOT NULL,"
                    + " val bigint NOT NULL)");
            st.execute("CREATE TABLE chaos_reg (writer int PRIMARY KEY, seq bigint NOT NULL)");
            st.execute("INSERT INTO chaos_reg SELECT g, 0 FROM generate_series(0, 64) g");
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    /**
     * {@code synchronous_standby_names} on every node (in {@code postgresql.auto.conf}, which base
     * backups copy to re-attached nodes), so a promoted standby commits synchronously too. Set after
     * the cluster started: the testkit's own setup commits before any standby exists.
     */
    private static void synchronous(PgCluster cluster) throws SQLException {
        for (PgNode n : cluster.nodes()) {
            try (Connection c = n.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER SYSTEM SET synchronous_standby_names = '" + SYNCHRONOUS_STANDBYS + "'");
                st.execute("SELECT pg_reload_conf()");
            }
        }
        try (Connection c = cluster.primary().connect(DB); Statement st = c.createStatement()) {
            Await.until("synchronous_standby_names in effect on the primary", Duration.ofSeconds(10), () -> {
                try (ResultSet rs = st.executeQuery("SELECT current_setting('synchronous_standby_names')")) {
                    return rs.next() && SYNCHRONOUS_STANDBYS.equals(rs.getString(1));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            st.execute("UPDATE chaos_reg SET seq = 0 WHERE writer = 0");
        }
    }

    private Map<String, Object> library(PgCluster cluster) {
        ReplicationConfig.Builder b = ReplicationConfig.builder()
                .primary(cluster.primary().jdbcUrl(DB))
                .credentials(cluster.user(), cluster.password())
                .set("replication.primary.name", cluster.primary().name());
        for (PgNode r : cluster.replicas()) {
            b.replica(r.name(), r.jdbcUrl(DB));
        }
        bounds.settings().forEach(b::set);
        return new LinkedHashMap<>(b.toProperties());
    }

    private static Map<Long, Long> finalRows(PgNode primary) throws SQLException {
        Map<Long, Long> rows = new HashMap<>();
        try (Connection c = primary.connect(DB); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, val FROM chaos_row")) {
            while (rs.next()) {
                rows.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return rows;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    /**
     * Records the library's node events and promotions; at the {@code promoting} event it reads the
     * window the library may lose from its own status: after the standby's replayed position, up to
     * the old primary's last known position.
     */
    private static final class Recorder implements RoutingListener {
        private final Replication rep;
        private final History h;
        private final AtomicLongArray window = new AtomicLongArray(new long[] {-1, -1});

        Recorder(Replication rep, History h) {
            this.rep = rep;
            this.h = h;
        }

        @Override
        public void nodeStateChanged(String node, String state, String reason) {
            h.event(new History.NodeEvent(System.nanoTime(), node, state, reason));
            if ("promoting".equals(state)) {
                ClusterStatus s = rep.status();
                window.set(0, s.node(node).map(NodeStatus::replayLsn).orElse(-1L));
                window.set(1, s.node(s.primary()).map(NodeStatus::replayLsn).orElse(-1L));
            }
        }

        @Override
        public void routed(RoutingDecision decision) {
            long q = h.quietFrom;
            if (decision.replica() && q != 0 && System.nanoTime() >= q) {
                h.routedReadsAfterFaults.computeIfAbsent(decision.node() + " (tenant " + decision.tenant() + ")",
                        k -> new LongAdder()).increment();
            }
        }

        @Override
        public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
            h.promotion(new Promotion(System.nanoTime(), oldPrimary, newPrimary, window.getAndSet(0, -1),
                    window.getAndSet(1, -1)));
        }
    }
}
