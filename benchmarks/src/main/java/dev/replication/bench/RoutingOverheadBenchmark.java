package dev.replication.bench;

import dev.replication.Replication;
import dev.replication.bench.Harness.Throughput;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Benchmark 1: one client thread of {@code em.find} by random id, a new EntityManager and
 * read-only transaction per read; the library configured with a single replica vs plain
 * Hibernate with one HikariCP pool to that same replica.
 */
final class RoutingOverheadBenchmark implements Benchmark {

    private static final long SLICE_MILLIS = 600;
    private static final List<String> VARIANTS = List.of("library", "plain");

    @Override
    public void run(BenchContext ctx) throws Exception {
        progress("1/5 routing overhead: primary-key reads, library pinned to one replica vs plain Hibernate + HikariCP to it");
        PgNode r = ctx.replica(0);
        Replication lib = ctx.library(List.of(r), Map.of());
        EntityManagerFactory plain = new BaselinePools(ctx).plain("replica", r.jdbcUrl(BenchContext.DB), true);
        int libPort = lib.read(Work::port);
        int plainPort = Work.plainTx(plain, true, Work::port);
        if (libPort != r.port() || plainPort != r.port()) {
            throw new IllegalStateException("routing check: library read on port " + libPort + ", plain on " + plainPort
                    + ", expected replica " + r.name() + " on " + r.port());
        }
        Map<String, Runnable> reads = Map.of(
                "library", () -> lib.read(em -> em.find(Item.class, Work.randomId())),
                "plain", () -> Work.plainTx(plain, true, em -> em.find(Item.class, Work.randomId())));
        int n = ctx.options().reps(15);
        Harness.warmUp(3, VARIANTS, v -> Harness.singleThread(reads.get(v), 1500));
        Map<String, List<Throughput>> runs = Harness.interleaved(n, VARIANTS,
                v -> Harness.singleThread(reads.get(v), SLICE_MILLIS),
                (i, rep) -> progress("  rep " + (i + 1) + "/" + n + ": library " + fmt(rep.get("library").opsPerSec(), 0)
                        + " reads/s, plain " + fmt(rep.get("plain").opsPerSec(), 0) + " reads/s, ratio "
                        + fmt(rep.get("library").opsPerSec() / rep.get("plain").opsPerSec(), 3)));
        List<Double> as = runs.get("library").stream().map(Throughput::opsPerSec).toList();
        List<Double> bs = runs.get("plain").stream().map(Throughput::opsPerSec).toList();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ratios.add(as.get(i) / bs.get(i));
        }
        List<Double> cpuA = runs.get("library").stream().map(Throughput::cpuNanosPerOp).toList();
        List<Double> cpuB = runs.get("plain").stream().map(Throughput::cpuNanosPerOp).toList();
        double ma = Stats.median(as);
        double mb = Stats.median(bs);
        double ratio = ma / mb;
        double addedUs = 1e6 / ma - 1e6 / mb;
        Map<String, Object> s = ctx.report().section("1_routing_overhead");
        s.put("description", "single client thread; em.find by random id (1.." + BenchContext.ROWS + "), new EntityManager"
                + " and read-only transaction per read; library configured with only replica " + r.name() + "; baseline:"
                + " plain Hibernate, one HikariCP pool (same settings) to the same replica");
        s.put("sliceMillis", SLICE_MILLIS);
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
        Report report = ctx.report();
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
}
