package dev.replication.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.replication.ConsistencyScope;
import dev.replication.Intent;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.RoutingDecision;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.Persistence;
import org.hibernate.Session;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import static dev.replication.bench.Report.fmt;

/**
 * Runs every benchmark in one JVM against one testkit cluster (primary + 2 replicas), variants
 * interleaved with warm-up, and writes {@code results.json} plus a Markdown table.
 * <p>
 * System properties: {@code bench.cycles} (read-your-writes cycles per variant, default 2000),
 * {@code bench.reps} (repetitions of the throughput benchmarks, default 7 for routing and 5 for
 * capacity), {@code bench.out} (results file, default {@code target/results.json} next to the jar).
 */
public final class Benchmarks {

    private static final String DB = "bench";
    private static final int ROWS = 1000;
    /** Rows used by the read-your-writes variants (one each) and the write benchmarks. */
    private static final long RYW_BASE = 100_000;
    private static final Logger[] QUIET = new Logger[3];

    private final PgCluster cluster;
    private final Report report;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final int cycles = Integer.getInteger("bench.cycles", 2000);
    private final int reps = Integer.getInteger("bench.reps", 0);

    private Benchmarks(PgCluster cluster, Report report) {
        this.cluster = cluster;
        this.report = report;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "jdk");
        QUIET[0] = Logger.getLogger("org.hibernate");
        QUIET[1] = Logger.getLogger("com.zaxxer.hikari");
        QUIET[2] = Logger.getLogger("org.postgresql");
        for (Logger l : QUIET) {
            l.setLevel(Level.OFF);
        }
        long t0 = System.nanoTime();
        Report report = new Report();
        int exit = 0;
        progress("starting a testkit cluster (primary + 2 replicas)...");
        try (PgCluster cluster = PgCluster.builder().replicas(2).maxConnections(200).start()) {
            progress("cluster up in " + fmt(Stats.ms(System.nanoTime() - t0) / 1000, 1) + " s: " + cluster);
            Benchmarks b = new Benchmarks(cluster, report);
            try {
                b.run();
            } catch (Exception | Error e) {
                exit = 1;
                report.root().put("error", e.toString());
                System.err.println("benchmark failed: " + e);
                e.printStackTrace();
            } finally {
                b.closeAll();
            }
        }
        double wall = Stats.ms(System.nanoTime() - t0) / 1000;
        @SuppressWarnings("unchecked")
        Map<String, Object> machine = (Map<String, Object>) report.root().get("machine");
        if (machine != null) {
            machine.put("totalWallSeconds", Math.round(wall * 10) / 10.0);
            machine.put("loadAverageAtEnd", loadAverage());
        }
        Path out = outputFile();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report.json(), StandardCharsets.UTF_8);

        StringBuilder sb = new StringBuilder("\n## Benchmark results\n\n");
        if (machine != null) {
            sb.append(machineLine(machine)).append("\n\n");
        }
        sb.append(report.markdown());
        sb.append("\nTotal wall time ").append(fmt(wall, 1)).append(" s. Raw data: ").append(out).append('\n');
        System.out.println(sb);
        System.exit(exit);
    }

    static String machineLine(Map<String, Object> m) {
        return "Machine: " + m.get("cores") + " cores (" + m.get("cpu") + "), " + m.get("os") + "; " + m.get("date")
                + "; Java " + m.get("java") + "; " + m.get("postgres") + "; load average (1/5/15 min) at start "
                + m.get("loadAverageAtStart") + (m.containsKey("loadAverageAtEnd") ? ", at end " + m.get("loadAverageAtEnd") : "")
                + ".";
    }

    private static Path outputFile() throws URISyntaxException {
        String p = System.getProperty("bench.out");
        if (p != null) {
            return Path.of(p);
        }
        Path code = Path.of(Benchmarks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // benchmarks/target/benchmarks.jar or benchmarks/target/classes: both live in target/
        return code.getParent().resolve("results.json");
    }

    private static void progress(String s) {
        System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + s);
    }

    private void run() throws Exception {
        machine();
        seed();
        // -Dbench.only=1,4 runs a subset (for profiling); the report says which ran
        java.util.Set<String> only = new java.util.HashSet<>(java.util.Arrays.asList(
                System.getProperty("bench.only", "1,2,3,4,5").split(",")));
        if (only.contains("1")) {
            routingOverhead();
            closeAll();
        }
        if (only.contains("2")) {
            readCapacity();
            closeAll();
        }
        if (only.contains("3")) {
            readYourWrites();
            closeAll();
        }
        if (only.contains("4")) {
            tokenCost();
            closeAll();
        }
        if (only.contains("5")) {
            replicaKill();
            closeAll();
            primaryKill();
        }
    }

    // ------------------------------------------------------------------ setup

    private void machine() throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("date", ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
        m.put("java", System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")");
        m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        try (Connection c = cluster.primary().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            String v = rs.getString(1);
            int comma = v.indexOf(',');
            m.put("postgres", comma > 0 ? v.substring(0, comma) : v);
        }
        m.put("loadAverageAtStart", loadAverage());
        m.put("cluster", "testkit: primary + 2 streaming replicas on 127.0.0.1, same machine");
        report.root().put("machine", m);
        progress(machineLine(m));
    }

    /** The 1/5/15-minute load averages (Linux), to show whether other work shared the machine. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return "unknown cpu";
    }

    private void seed() throws SQLException {
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

    private PgNode replica(int i) {
        return cluster.replicas().get(i);
    }

    /** An EMF of the library over the primary and the given replicas, with overrides. */
    private Replication library(List<PgNode> replicas, Map<String, String> overrides) {
        ReplicationConfig.Builder b = ReplicationConfig.builder()
                .primary(cluster.primary().jdbcUrl(DB))
                .credentials(cluster.user(), cluster.password());
        for (PgNode r : replicas) {
            b.replica(r.name(), r.jdbcUrl(DB));
        }
        overrides.forEach(b::set);
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-routed", new LinkedHashMap<>(b.toProperties()));
        open.add(emf::close);
        Replication r = Replication.of(emf);
        r.monitor().checkNow();
        return r;
    }

    /**
     * A HikariCP pool configured like the library's node pools (autoCommit off, same sizes and
     * timeouts, same pgjdbc properties), so that only the routing differs.
     */
    private HikariDataSource pool(String name, String url, boolean readOnly, int maxSize) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("baseline-" + name);
        hc.setJdbcUrl(url);
        hc.setUsername(cluster.user());
        hc.setPassword(cluster.password());
        hc.setMaximumPoolSize(maxSize);
        hc.setMinimumIdle(2);
        hc.setConnectionTimeout(500);
        hc.setValidationTimeout(500);
        hc.setAutoCommit(false);
        hc.setReadOnly(readOnly);
        hc.addDataSourceProperty("connectTimeout", 1);
        hc.addDataSourceProperty("loginTimeout", 1);
        hc.addDataSourceProperty("tcpKeepAlive", true);
        hc.addDataSourceProperty("ApplicationName", "baseline");
        HikariDataSource ds = new HikariDataSource(hc);
        open.add(ds::close);
        return ds;
    }

    /** Plain Hibernate (no multi-tenancy) over one DataSource. */
    private EntityManagerFactory plain(DataSource ds) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("jakarta.persistence.nonJtaDataSource", ds);
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-plain", props);
        // closed before its pool (closeAll runs in reverse order)
        open.add(emf::close);
        return emf;
    }

    private void closeAll() {
        List<AutoCloseable> list = new ArrayList<>(open);
        open.clear();
        Collections.reverse(list);
        for (AutoCloseable c : list) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("close failed: " + e);
            }
        }
    }

    // ------------------------------------------------------------------ unit-of-work helpers

    /** A typical request on plain Hibernate: new EntityManager, read-only transaction, one statement. */
    private static <T> T plainTx(EntityManagerFactory emf, boolean readOnly, java.util.function.Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = null;
        try {
            if (readOnly) {
                em.unwrap(Session.class).setDefaultReadOnly(true);
            }
            tx = em.getTransaction();
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } catch (RuntimeException e) {
            if (tx != null && tx.isActive()) {
                try {
                    tx.rollback();
                } catch (RuntimeException ignored) {
                    // original failure matters
                }
            }
            throw e;
        } finally {
            em.close();
        }
    }

    private static long randomId() {
        return ThreadLocalRandom.current().nextLong(1, ROWS + 1);
    }

    private static int port(EntityManager em) {
        return ((Number) em.createNativeQuery("SELECT inet_server_port()").getSingleResult()).intValue();
    }

    private static int update(EntityManager em, long id, long val) {
        return em.createQuery("UPDATE Item i SET i.val = :v WHERE i.id = :id")
                .setParameter("v", val).setParameter("id", id).executeUpdate();
    }

    private static long readVal(EntityManager em, long id) {
        return em.find(Item.class, id).getVal();
    }

    /** Operations per second of {@code op} on this thread for {@code millis}. */
    /** Client CPU nanoseconds per operation of the last {@link #singleThreadOps} run (this thread only). */
    private static double lastCpuNanosPerOp;

    private static double singleThreadOps(Runnable op, long millis) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
        long n = 0;
        long now;
        do {
            op.run();
            n++;
            now = System.nanoTime();
        } while (now < end);
        lastCpuNanosPerOp = (mx.getCurrentThreadCpuTime() - cpu0) / (double) n;
        return n / ((now - start) / 1e9);
    }

    /** Operations per second of {@code op} on {@code threads} threads for {@code millis}; failures counted. */
    private static double concurrentOps(ExecutorService pool, int threads, Runnable op, long millis, LongAdder failures)
            throws InterruptedException {
        LongAdder ops = new LongAdder();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        long[] window = new long[2];
        AtomicBoolean stop = new AtomicBoolean();
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                ready.countDown();
                try {
                    go.await();
                    while (!stop.get()) {
                        try {
                            op.run();
                            ops.increment();
                        } catch (RuntimeException e) {
                            failures.increment();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        ready.await();
        window[0] = System.nanoTime();
        go.countDown();
        Thread.sleep(millis);
        long counted = ops.sum();
        window[1] = System.nanoTime();
        stop.set(true);
        done.await();
        return counted / ((window[1] - window[0]) / 1e9);
    }

    // ------------------------------------------------------------------ 1. routing overhead

    private void routingOverhead() {
        progress("1/5 routing overhead: primary-key reads, library pinned to one replica vs plain Hibernate + HikariCP to it");
        PgNode r = replica(0);
        Replication lib = library(List.of(r), Map.of());
        EntityManagerFactory plain = plain(pool("replica", r.jdbcUrl(DB), true, 10));
        int libPort = lib.read(Benchmarks::port);
        int plainPort = plainTx(plain, true, Benchmarks::port);
        if (libPort != r.port() || plainPort != r.port()) {
            throw new IllegalStateException("routing check: library read on port " + libPort + ", plain on " + plainPort
                    + ", expected replica " + r.name() + " on " + r.port());
        }
        Runnable a = () -> lib.read(em -> em.find(Item.class, randomId()));
        Runnable b = () -> plainTx(plain, true, em -> em.find(Item.class, randomId()));
        long slice = 600;
        int n = reps > 0 ? reps : 15;
        for (int w = 0; w < 3; w++) {
            singleThreadOps(a, 1500);
            singleThreadOps(b, 1500);
        }
        List<Double> as = new ArrayList<>();
        List<Double> bs = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuA = new ArrayList<>();
        List<Double> cpuB = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double ta;
            double tb;
            if (i % 2 == 0) {
                ta = singleThreadOps(a, slice);
                cpuA.add(lastCpuNanosPerOp);
                tb = singleThreadOps(b, slice);
                cpuB.add(lastCpuNanosPerOp);
            } else {
                tb = singleThreadOps(b, slice);
                cpuB.add(lastCpuNanosPerOp);
                ta = singleThreadOps(a, slice);
                cpuA.add(lastCpuNanosPerOp);
            }
            as.add(ta);
            bs.add(tb);
            ratios.add(ta / tb);
            progress("  rep " + (i + 1) + "/" + n + ": library " + fmt(ta, 0) + " reads/s, plain " + fmt(tb, 0)
                    + " reads/s, ratio " + fmt(ta / tb, 3));
        }
        double ma = Stats.median(as);
        double mb = Stats.median(bs);
        double ratio = ma / mb;
        double addedUs = 1e6 / ma - 1e6 / mb;
        Map<String, Object> s = report.section("1_routing_overhead");
        s.put("description", "single client thread; em.find by random id (1.." + ROWS + "), new EntityManager and read-only"
                + " transaction per read; library configured with only replica " + r.name() + "; baseline: plain Hibernate,"
                + " one HikariCP pool (same settings) to the same replica");
        s.put("sliceMillis", slice);
        s.put("warmupMillisPerVariant", 4500);
        s.put("libraryReadsPerSec", as);
        s.put("plainReadsPerSec", bs);
        s.put("pairRatios", ratios);
        s.put("libraryMedian", ma);
        s.put("plainMedian", mb);
        s.put("throughputRatio", ratio);
        s.put("medianPairRatio", Stats.median(ratios));
        s.put("addedLatencyMicros", addedUs);
        s.put("goal", ">= 0.98");
        report.row("1 routing overhead", "reads/s library vs plain (median of " + n + ")",
                fmt(ma, 0) + " vs " + fmt(mb, 0), "1 thread, em.find, new EM per read, same replica");
        report.row("1 routing overhead", "throughput ratio (goal ≥ 0.98)", fmt(ratio, 3),
                "median of pair ratios " + fmt(Stats.median(ratios), 3) + (ratio >= 0.98 ? "; goal met" : "; goal NOT met"));
        report.row("1 routing overhead", "added latency per read", fmt(addedUs, 1) + " µs",
                "from median throughputs (1/lib − 1/plain)");
        double ca = Stats.median(cpuA) / 1e3;
        double cb = Stats.median(cpuB) / 1e3;
        s.put("clientCpuMicrosPerReadLibrary", cpuA.stream().map(v -> v / 1e3).toList());
        s.put("clientCpuMicrosPerReadPlain", cpuB.stream().map(v -> v / 1e3).toList());
        report.row("1 routing overhead", "client CPU per read, library vs plain (median)",
                fmt(ca, 1) + " vs " + fmt(cb, 1) + " µs", "thread CPU time of the calling thread: "
                        + fmt(ca - cb, 1) + " µs added (" + fmt(100 * (ca - cb) / cb, 1) + "%), less noisy than wall time");
    }

    // ------------------------------------------------------------------ 2. read capacity

    private void readCapacity() throws InterruptedException {
        progress("2/5 read capacity: SELECT pg_sleep(0.005), pool 4 per node, 24 client threads; primary only vs primary + 2 replicas");
        Map<String, String> cfg = Map.of("replication.pool.max-size", "4", "replication.pool.connection-timeout", "5s");
        Replication one = library(List.of(), cfg);
        // the primary takes an equal share of reads beside the two replicas: three nodes serve reads
        Map<String, String> cfg3 = new LinkedHashMap<>(cfg);
        cfg3.put("replication.primary.read-weight", "1");
        Replication three = library(cluster.replicas(), cfg3);
        Runnable a = () -> one.read(em -> em.createNativeQuery("SELECT 1 FROM pg_sleep(0.005)").getSingleResult());
        Runnable b = () -> three.read(em -> em.createNativeQuery("SELECT 1 FROM pg_sleep(0.005)").getSingleResult());
        Map<String, Long> spread = new ConcurrentHashMap<>();
        for (int i = 0; i < 60; i++) {
            int p = three.read(em -> port(em));
            spread.merge(nodeName(p), 1L, Long::sum);
        }
        int threads = 24;
        int n = reps > 0 ? reps : 5;
        long slice = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        LongAdder failA = new LongAdder();
        LongAdder failB = new LongAdder();
        List<Double> as = new ArrayList<>();
        List<Double> bs = new ArrayList<>();
        try {
            concurrentOps(pool, threads, a, 1000, new LongAdder());
            concurrentOps(pool, threads, b, 1000, new LongAdder());
            for (int i = 0; i < n; i++) {
                double ta;
                double tb;
                if (i % 2 == 0) {
                    ta = concurrentOps(pool, threads, a, slice, failA);
                    tb = concurrentOps(pool, threads, b, slice, failB);
                } else {
                    tb = concurrentOps(pool, threads, b, slice, failB);
                    ta = concurrentOps(pool, threads, a, slice, failA);
                }
                as.add(ta);
                bs.add(tb);
                progress("  rep " + (i + 1) + "/" + n + ": primary only " + fmt(ta, 0) + " reads/s, primary + 2 replicas "
                        + fmt(tb, 0) + " reads/s");
            }
        } finally {
            pool.shutdownNow();
        }
        double ma = Stats.median(as);
        double mb = Stats.median(bs);
        Map<String, Object> s = report.section("2_read_capacity");
        s.put("description", "24 client threads, each read = Replication.read(SELECT 1 FROM pg_sleep(0.005)),"
                + " replication.pool.max-size=4; A: no replicas configured (reads on the primary), B: primary + 2 replicas with"
                + " replication.primary.read-weight=1 (the primary takes an equal share of reads)");
        s.put("sliceMillis", slice);
        s.put("primaryOnlyReadsPerSec", as);
        s.put("withReplicasReadsPerSec", bs);
        s.put("primaryOnlyMedian", ma);
        s.put("withReplicasMedian", mb);
        s.put("ratio", mb / ma);
        s.put("failedReads", Map.of("primaryOnly", failA.sum(), "withReplicas", failB.sum()));
        s.put("readSpreadWithReplicas", new LinkedHashMap<>(spread));
        s.put("theoreticalCeiling", Map.of("primaryOnly", 4 / 0.005, "withReplicas", 12 / 0.005,
                "note", "three pools of 4 (primary with read-weight 1, two replicas) give at most 3x"));
        report.row("2 read capacity", "reads/s primary only vs primary + 2 replicas", fmt(ma, 0) + " vs " + fmt(mb, 0),
                "24 threads, pg_sleep 5 ms, pool 4/node; failed reads " + failA.sum() + " / " + failB.sum());
        report.row("2 read capacity", "ratio (ideal 3: primary read-weight 1 + 2 replicas)", fmt(mb / ma, 2),
                "spread of 60 reads: " + new java.util.TreeMap<>(spread));
    }

    private String nodeName(int port) {
        return cluster.nodes().stream().filter(x -> x.port() == port).map(PgNode::name).findFirst().orElse("?" + port);
    }

    // ------------------------------------------------------------------ 3. read-your-writes

    private interface Cycle {
        /** Writes {@code value} then reads it back; returns {read value, read latency nanos}. */
        long[] run(long value);
    }

    @SuppressWarnings("unchecked")
    private void readYourWrites() {
        int total = cycles;
        int rounds = Math.min(10, Math.max(1, total / 20));
        int perRound = Math.max(1, total / rounds);
        progress("3/5 read-your-writes under 50 ms apply delay: " + rounds * perRound + " write-then-read cycles per variant, "
                + rounds + " interleaved rounds");
        PgNode r1 = replica(0);
        PgNode r2 = replica(1);
        PgNode p = cluster.primary();
        Replication lib = library(cluster.replicas(), Map.of());
        LongAdder tokenWaits = new LongAdder();
        LongAdder tokenTimeouts = new LongAdder();
        Map<String, LongAdder> readsOn = new ConcurrentHashMap<>();
        lib.addListener(new RoutingListener() {
            @Override
            public void routed(RoutingDecision d) {
                if (d.intent() == Intent.READ) {
                    readsOn.computeIfAbsent(d.node(), k -> new LongAdder()).increment();
                }
            }

            @Override
            public void tokenWaited(String node, Duration waited, boolean satisfied) {
                (satisfied ? tokenWaits : tokenTimeouts).increment();
            }
        });
        EntityManagerFactory primary = plain(pool("primary", p.jdbcUrl(DB), false, 10));
        EntityManagerFactory replicaEmf = plain(pool("replica", r1.jdbcUrl(DB), true, 10));
        String multi = "jdbc:postgresql://" + r1.host() + ":" + r1.port() + "," + r2.host() + ":" + r2.port() + "/" + DB
                + "?targetServerType=preferSecondary&loadBalanceHosts=true";
        EntityManagerFactory multiEmf = plain(pool("multihost", multi, true, 10));
        LongAdder lagPolls = new LongAdder();

        long idA = RYW_BASE + 1;
        long idB = RYW_BASE + 2;
        long idC = RYW_BASE + 3;
        long idD = RYW_BASE + 4;
        Map<String, Cycle> variants = new LinkedHashMap<>();
        variants.put("a_library", v -> {
            try (ConsistencyScope.Binding ignored = new ConsistencyScope().bind()) {
                lib.write(em -> update(em, idA, v));
                long t = System.nanoTime();
                long got = lib.read(em -> readVal(em, idA));
                return new long[] {got, System.nanoTime() - t};
            }
        });
        variants.put("b_naive_split", v -> {
            plainTx(primary, false, em -> update(em, idB, v));
            long t = System.nanoTime();
            long got = plainTx(replicaEmf, true, em -> readVal(em, idB));
            return new long[] {got, System.nanoTime() - t};
        });
        variants.put("c_pgjdbc_multihost", v -> {
            plainTx(primary, false, em -> update(em, idC, v));
            long t = System.nanoTime();
            long got = plainTx(multiEmf, true, em -> readVal(em, idC));
            return new long[] {got, System.nanoTime() - t};
        });
        variants.put("d_seed_lag_wait", v -> {
            plainTx(primary, false, em -> update(em, idD, v));
            long t = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                lagPolls.increment();
                double lag = plainTx(replicaEmf, true, em -> ((Number) em.createNativeQuery(
                        "SELECT COALESCE(EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())), 1e9)::float8")
                        .getSingleResult()).doubleValue());
                if (lag < 1.0) {
                    break;
                }
                sleep(100);
            }
            long got = plainTx(replicaEmf, true, em -> readVal(em, idD));
            return new long[] {got, System.nanoTime() - t};
        });

        // sanity: the multi-host pool reaches secondaries
        Map<String, Long> multiSpread = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            multiSpread.merge(nodeName(plainTx(multiEmf, true, Benchmarks::port)), 1L, Long::sum);
        }
        Duration delay = Duration.ofMillis(50);
        r1.setApplyDelay(delay);
        r2.setApplyDelay(delay);
        Map<String, List<Long>> lat = new LinkedHashMap<>();
        Map<String, long[]> stale = new LinkedHashMap<>();
        Map<String, long[]> errors = new LinkedHashMap<>();
        Map<String, long[]> counters = new LinkedHashMap<>();
        variants.keySet().forEach(k -> {
            lat.put(k, new ArrayList<>());
            stale.put(k, new long[1]);
            errors.put(k, new long[1]);
            counters.put(k, new long[] {1_000});
        });
        // warm-up: 20 cycles each, not counted
        variants.forEach((k, c) -> {
            for (int i = 0; i < 20; i++) {
                c.run(++counters.get(k)[0]);
            }
        });
        tokenWaits.reset();
        tokenTimeouts.reset();
        readsOn.clear();
        lagPolls.reset();
        List<String> names = new ArrayList<>(variants.keySet());
        long started = System.nanoTime();
        try {
            for (int round = 0; round < rounds; round++) {
                List<String> order = new ArrayList<>(names);
                Collections.rotate(order, -round);
                for (String k : order) {
                    Cycle c = variants.get(k);
                    for (int i = 0; i < perRound; i++) {
                        long v = ++counters.get(k)[0];
                        try {
                            long[] res = c.run(v);
                            lat.get(k).add(res[1]);
                            if (res[0] != v) {
                                stale.get(k)[0]++;
                            }
                        } catch (RuntimeException e) {
                            errors.get(k)[0]++;
                        }
                    }
                }
                progress("  round " + (round + 1) + "/" + rounds + " done; stale so far " + names.stream()
                        .map(k -> k + "=" + stale.get(k)[0]).toList());
            }
        } finally {
            r1.setApplyDelay(Duration.ZERO);
            r2.setApplyDelay(Duration.ZERO);
        }
        double seconds = Stats.ms(System.nanoTime() - started) / 1000;
        Map<String, Object> s = report.section("3_read_your_writes");
        s.put("description", "replica apply delay 50 ms on both replicas (recovery_min_apply_delay); each cycle writes an"
                + " incremented value to the variant's own row on the primary, then reads it back; stale = read did not see it."
                + " Read latency is measured from after the write's commit to the end of the read (including any"
                + " token wait or lag polling).");
        s.put("cyclesPerVariant", rounds * perRound);
        s.put("cyclesRequested", total);
        s.put("rounds", rounds);
        s.put("seconds", seconds);
        s.put("multiHostUrl", multi.replace(DB, "<db>"));
        s.put("multiHostSpread", multiSpread);
        Map<String, String> labels = Map.of(
                "a_library", "(a) this library, consistency=wait",
                "b_naive_split", "(b) naive split, no token",
                "c_pgjdbc_multihost", "(c) pgjdbc preferSecondary+loadBalanceHosts",
                "d_seed_lag_wait", "(d) seed: wait lag < 1 s, then replica");
        for (String k : names) {
            long[] l = Stats.toArray(lat.get(k));
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("cycles", l.length + errors.get(k)[0]);
            v.put("stale", stale.get(k)[0]);
            v.put("errors", errors.get(k)[0]);
            v.put("readP50Millis", Stats.ms(Stats.percentile(l, 50)));
            v.put("readP99Millis", Stats.ms(Stats.percentile(l, 99)));
            v.put("readMeanMillis", Stats.ms(java.util.Arrays.stream(l).average().orElse(Double.NaN)));
            s.put(k, v);
            report.row("3 read-your-writes", labels.get(k) + ": stale / cycles; read p50 / p99",
                    stale.get(k)[0] + " / " + (l.length + errors.get(k)[0]) + "; "
                            + fmt(Stats.ms(Stats.percentile(l, 50)), 2) + " / " + fmt(Stats.ms(Stats.percentile(l, 99)), 2) + " ms",
                    errors.get(k)[0] > 0 ? errors.get(k)[0] + " failed cycles" : "");
        }
        Map<String, Long> on = new java.util.TreeMap<>();
        readsOn.forEach((k, v) -> on.put(k, v.sum()));
        Map<String, Object> la = new LinkedHashMap<>();
        la.put("tokenWaitsSatisfied", tokenWaits.sum());
        la.put("tokenWaitTimeouts", tokenTimeouts.sum());
        la.put("readsPerNode", on);
        ((Map<String, Object>) s.get("a_library")).put("routing", la);
        ((Map<String, Object>) s.get("d_seed_lag_wait")).put("lagPolls", lagPolls.sum());
        report.row("3 read-your-writes", "(a) routing detail", "",
                "reads per node " + on + "; token waits " + tokenWaits.sum() + ", wait timeouts → primary "
                        + tokenTimeouts.sum() + (rounds * perRound < 2000 ? "; REDUCED to " + rounds * perRound + " cycles" : ""));
    }

    /** The exception and its causes, one short line each. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            int nl = m.indexOf('\n');
            sb.append(sb.length() == 0 ? "" : " <- ").append(t.getClass().getSimpleName()).append(": ")
                    .append(nl > 0 ? m.substring(0, nl) : m);
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ 4. token cost

    private void tokenCost() {
        int total = 1000;
        int batch = 100;
        progress("4/5 token cost: write transactions, consistency=wait vs off, " + total + " each in batches of " + batch);
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Replication on = library(cluster.replicas(), Map.of("replication.consistency", "wait"));
        Replication off = library(cluster.replicas(), Map.of("replication.consistency", "off"));
        long id = RYW_BASE + 10;
        AtomicLong value = new AtomicLong();
        Map<String, Replication> variants = new LinkedHashMap<>();
        variants.put("on", on);
        variants.put("off", off);
        Map<String, List<Long>> lat = new LinkedHashMap<>();
        variants.keySet().forEach(k -> lat.put(k, new ArrayList<>()));
        // warm-up
        for (int i = 0; i < 200; i++) {
            on.write(em -> update(em, id, value.incrementAndGet()));
            off.write(em -> update(em, id, value.incrementAndGet()));
        }
        List<Double> batchP50On = new ArrayList<>();
        List<Double> batchP50Off = new ArrayList<>();
        for (int b = 0; b < total / batch; b++) {
            List<String> order = b % 2 == 0 ? List.of("on", "off") : List.of("off", "on");
            for (String k : order) {
                Replication r = variants.get(k);
                List<Long> batchLat = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    long v = value.incrementAndGet();
                    long t = System.nanoTime();
                    r.write(em -> update(em, id, v));
                    batchLat.add(System.nanoTime() - t);
                }
                lat.get(k).addAll(batchLat);
                (k.equals("on") ? batchP50On : batchP50Off).add(Stats.percentile(Stats.toArray(batchLat), 50));
            }
        }
        long[] a = Stats.toArray(lat.get("on"));
        long[] b = Stats.toArray(lat.get("off"));
        double p50a = Stats.percentile(a, 50);
        double p50b = Stats.percentile(b, 50);
        double meanA = java.util.Arrays.stream(a).average().orElse(Double.NaN);
        double meanB = java.util.Arrays.stream(b).average().orElse(Double.NaN);
        Map<String, Object> s = report.section("4_token_cost");
        s.put("description", "Replication.write(JPQL UPDATE of one row), one thread, primary + 2 replicas configured;"
                + " replication.consistency=wait (token captured at commit) vs off");
        s.put("writesPerVariant", total);
        s.put("batch", batch);
        s.put("onP50Micros", Stats.us(p50a));
        s.put("onP99Micros", Stats.us(Stats.percentile(a, 99)));
        s.put("onMeanMicros", Stats.us(meanA));
        s.put("offP50Micros", Stats.us(p50b));
        s.put("offP99Micros", Stats.us(Stats.percentile(b, 99)));
        s.put("offMeanMicros", Stats.us(meanB));
        s.put("p50Ratio", p50a / p50b);
        s.put("meanRatio", meanA / meanB);
        s.put("batchP50MicrosOn", batchP50On.stream().map(Stats::us).toList());
        s.put("batchP50MicrosOff", batchP50Off.stream().map(Stats::us).toList());
        s.put("medianOfBatchP50Ratio", Stats.median(batchP50On) / Stats.median(batchP50Off));
        report.row("4 token cost", "write p50 / p99, tokens on", fmt(Stats.ms(p50a), 3) + " / "
                + fmt(Stats.ms(Stats.percentile(a, 99)), 3) + " ms", total + " writes, interleaved batches of " + batch);
        report.row("4 token cost", "write p50 / p99, tokens off", fmt(Stats.ms(p50b), 3) + " / "
                + fmt(Stats.ms(Stats.percentile(b, 99)), 3) + " ms", "");
        report.row("4 token cost", "ratio on/off (p50; mean)", fmt(p50a / p50b, 3) + "; " + fmt(meanA / meanB, 3),
                "median of batch p50s ratio " + fmt(Stats.median(batchP50On) / Stats.median(batchP50Off), 3));
    }

    // ------------------------------------------------------------------ 5. faults

    private void replicaKill() throws InterruptedException {
        PgNode victim = replica(1);
        progress("5/5 faults: SIGKILL replica " + victim.name() + " under read load (8 threads)");
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Replication lib = library(cluster.replicas(), Map.of());
        LongAdder retries = new LongAdder();
        lib.addListener(new RoutingListener() {
            @Override
            public void readRetried(String failedNode, String reason) {
                retries.increment();
            }
        });
        int threads = 8;
        ConcurrentLinkedQueue<long[]> events = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                try {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        boolean ok = true;
                        try {
                            lib.read(em -> em.find(Item.class, randomId()));
                        } catch (RuntimeException e) {
                            ok = false;
                            if (failures.size() < 5) {
                                failures.add(describe(e));
                            }
                        }
                        events.add(new long[] {s, System.nanoTime(), ok ? 1 : 0});
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        Thread.sleep(2000);
        long kill = System.nanoTime();
        victim.kill();
        long killed = System.nanoTime();
        Thread.sleep(5000);
        stop.set(true);
        done.await();
        pool.shutdownNow();
        long end = System.nanoTime();

        List<long[]> ev = new ArrayList<>(events);
        ev.sort((x, y) -> Long.compare(x[1], y[1]));
        long failed = ev.stream().filter(e -> e[2] == 0).count();
        long lastFailureEnd = ev.stream().filter(e -> e[2] == 0).mapToLong(e -> e[1]).max().orElse(kill);
        long firstOkAfter = ev.stream().filter(e -> e[2] == 1 && e[0] >= lastFailureEnd).mapToLong(e -> e[1]).min().orElse(end);
        double recoverMs = failed == 0 ? 0 : Stats.ms(firstOkAfter - kill);
        long prev = kill;
        long maxGap = 0;
        for (long[] e : ev) {
            if (e[2] == 1 && e[1] >= kill) {
                maxGap = Math.max(maxGap, e[1] - prev);
                prev = e[1];
            }
        }
        long before = ev.stream().filter(e -> e[2] == 1 && e[1] < kill && e[1] >= kill - 2_000_000_000L).count();
        long after = ev.stream().filter(e -> e[2] == 1 && e[1] >= kill + 1_000_000_000L && e[1] < kill + 5_000_000_000L).count();
        double slowestMs = Stats.ms(ev.stream().filter(e -> e[1] >= kill).mapToLong(e -> e[1] - e[0]).max().orElse(0));

        progress("  " + failed + " failed reads; restarting " + victim.name());
        long restart = System.nanoTime();
        victim.start();
        long started = System.nanoTime();
        long readmitted = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            NodeStatus st = lib.status().node(victim.name()).orElseThrow();
            if (st.usable()) {
                readmitted = System.nanoTime();
                break;
            }
            sleep(50);
        }
        Map<String, Object> s = report.section("5a_replica_kill");
        s.put("description", "8 threads of Replication.read(em.find) on primary + 2 replicas (defaults: monitor 1s,"
                + " retry-reads=true); SIGKILL of " + victim.name() + " (postmaster and children) after 2 s, observed 5 s more");
        s.put("readsTotal", ev.size());
        s.put("failedReads", failed);
        s.put("readRetries", retries.sum());
        s.put("failureSamples", new ArrayList<>(failures));
        s.put("killCallMillis", Stats.ms(killed - kill));
        s.put("readsFlowAgainMillis", recoverMs);
        s.put("longestStallAfterKillMillis", Stats.ms(maxGap));
        s.put("slowestReadAfterKillMillis", slowestMs);
        s.put("readsPerSecBefore", before / 2.0);
        s.put("readsPerSecAfter1sTo5s", after / 4.0);
        s.put("restartMillis", Stats.ms(started - restart));
        s.put("readmittedAfterRestartMillis", readmitted < 0 ? null : Stats.ms(readmitted - started));
        report.row("5 faults", "replica SIGKILL under 8-thread read load: failed reads", String.valueOf(failed),
                ev.size() + " reads in 7 s; " + retries.sum() + " transparent retries");
        report.row("5 faults", "time until all reads succeed again", fmt(recoverMs, 0) + " ms",
                "longest gap between successful reads " + fmt(Stats.ms(maxGap), 0) + " ms; slowest read "
                        + fmt(slowestMs, 0) + " ms; reads/s " + fmt(before / 2.0, 0) + " before → " + fmt(after / 4.0, 0) + " after");
        report.row("5 faults", "killed replica restarted → readmitted", readmitted < 0 ? "not within 30 s"
                : fmt(Stats.ms(readmitted - started), 0) + " ms", "restart took " + fmt(Stats.ms(started - restart), 0)
                + " ms; readmit-after=3 good checks at 1 s interval");
    }

    private void primaryKill() {
        PgNode old = cluster.primary();
        progress("5/5 faults: SIGKILL primary " + old.name() + " with replication.failover=promote");
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Replication lib = library(cluster.replicas(), Map.of("replication.failover", "promote"));
        long id = RYW_BASE + 11;
        AtomicLong value = new AtomicLong();
        Supplier<Integer> write = () -> lib.write(em -> {
            update(em, id, value.incrementAndGet());
            return port(em);
        });
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < warm) {
            write.get();
            sleep(20);
        }
        long kill = System.nanoTime();
        old.kill();
        long killed = System.nanoTime();
        long failed = 0;
        long firstOk = -1;
        int port = -1;
        List<String> samples = new ArrayList<>();
        long deadline = kill + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                port = write.get();
                firstOk = System.nanoTime();
                break;
            } catch (RuntimeException e) {
                failed++;
                if (samples.size() < 3) {
                    samples.add(describe(e));
                }
                sleep(20);
            }
        }
        String newPrimary = lib.status().primary();
        Map<String, Object> s = report.section("5b_primary_kill");
        s.put("description", "Replication.write loop (one thread, 20 ms pause); SIGKILL of primary " + old.name()
                + "; fresh EMF with replication.failover=promote, monitor interval 1 s, primary-failures 3");
        s.put("killCallMillis", Stats.ms(killed - kill));
        s.put("firstWriteAfterKillMillis", firstOk < 0 ? null : Stats.ms(firstOk - kill));
        s.put("failedWriteAttempts", failed);
        s.put("failureSamples", samples);
        s.put("newPrimary", newPrimary);
        s.put("firstWriteLandedOn", port < 0 ? null : nodeName(port));
        report.row("5 faults", "primary SIGKILL (promote mode): kill → first successful write",
                firstOk < 0 ? "none within 30 s" : fmt(Stats.ms(firstOk - kill), 0) + " ms",
                failed + " failed write attempts; promoted " + newPrimary + " (write landed on " + (port < 0 ? "-" : nodeName(port)) + ")");
    }
}
