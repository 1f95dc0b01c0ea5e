package dev.replication.bench;

import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every benchmark shares: the testkit cluster with its seeded {@code bench} database, the
 * report, the run options and the EMFs/pools opened for the current benchmark (closed together,
 * newest first, by {@link #closeAll()}). Used from the main thread only.
 *
 * @param cluster the running testkit cluster (primary + 2 replicas)
 * @param report where the benchmarks put their JSON sections and table rows
 * @param options the {@code bench.*} system properties
 * @param resources what the current benchmark opened
 */
record BenchContext(PgCluster cluster, Report report, Options options, Resources resources) {

    static final String DB = "bench";
    /** Rows {@code 1..ROWS} are read by the read benchmarks. */
    static final int ROWS = 1000;
    /** Rows {@code RYW_BASE..RYW_BASE+20}: one per read-your-writes variant and for the write benchmarks. */
    static final long RYW_BASE = 100_000;

    /**
     * @param cycles {@code bench.cycles}: write-then-read cycles per variant of benchmark 3
     * @param reps {@code bench.reps}: repetitions of benchmarks 1, 2 and 4, 0 for their own defaults
     * @param tokenWrites {@code bench.tokenWrites}: transactions per variant and repetition of benchmark 4
     */
    record Options(int cycles, int reps, int tokenWrites) {
        static Options fromSystemProperties() {
            return new Options(Integer.getInteger("bench.cycles", 2000), Integer.getInteger("bench.reps", 0),
                    Integer.getInteger("bench.tokenWrites", 200));
        }

        /** {@code bench.reps} when set, else the benchmark's own default. */
        int reps(int defaultReps) {
            return reps > 0 ? reps : defaultReps;
        }
    }

    BenchContext(PgCluster cluster, Report report) {
        this(cluster, report, Options.fromSystemProperties(), new Resources());
    }

    PgNode replica(int i) {
        return cluster.replicas().get(i);
    }

    /** The name of the cluster node listening on {@code port}, {@code ?port} if none. */
    String nodeName(int port) {
        return cluster.nodes().stream().filter(x -> x.port() == port).map(PgNode::name).findFirst().orElse("?" + port);
    }

    /** Creates the {@code bench} database with the {@code item} rows and waits until the replicas have them. */
    void seed() throws SQLException {
        cluster.createDatabase(DB);
        try (Connection c = cluster.primary().connect(DB); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE item (id bigint PRIMARY KEY, val bigint NOT NULL, name varchar(64))");
            st.execute("INSERT INTO item SELECT g, 0, 'item-' || g FROM generate_series(1, " + ROWS + ") g");
            st.execute("INSERT INTO item SELECT g, 0, 'ryw-' || g FROM generate_series(" + RYW_BASE + ", "
                    + (RYW_BASE + 20) + ") g");
            st.execute("ANALYZE item");
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    /** An EMF of the library over the primary and the given replicas, with overrides; monitor checked once. */
    Replication library(List<PgNode> replicas, Map<String, String> overrides) {
        ReplicationConfig.Builder b = ReplicationConfig.builder()
                .primary(cluster.primary().jdbcUrl(DB))
                .credentials(cluster.user(), cluster.password());
        for (PgNode r : replicas) {
            b.replica(r.name(), r.jdbcUrl(DB));
        }
        overrides.forEach(b::set);
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-routed", new LinkedHashMap<>(b.toProperties()));
        closeLater(emf::close);
        Replication r = Replication.of(emf);
        r.monitor().checkNow();
        return r;
    }

    /** Registers a resource for {@link #closeAll()}. */
    void closeLater(AutoCloseable resource) {
        resources.closeLater(resource);
    }

    /** Closes everything opened since the last call, newest first (an EMF before its pool). */
    void closeAll() {
        resources.closeAll();
    }

    static void progress(String s) {
        System.out.println("[bench " + LocalTime.now().withNano(0) + "] " + s);
    }
}
