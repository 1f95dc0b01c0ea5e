package dev.replication.bench;

import dev.replication.Replication;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Benchmark 2: 24 threads of {@code SELECT 1 FROM pg_sleep(0.005)} with pools of 4 per node;
 * primary only (no replicas configured) vs primary (read-weight 1) + 2 replicas.
 */
final class ReadCapacityBenchmark implements Benchmark {

    private static final int THREADS = 24;
    private static final long SLICE_MILLIS = 2000;
    private static final String ONE = "primaryOnly";
    private static final String THREE = "withReplicas";

    @Override
    public void run(BenchContext ctx) throws Exception {
        progress("2/5 read capacity: SELECT pg_sleep(0.005), pool 4 per node, 24 client threads; primary only vs primary + 2 replicas");
        Map<String, String> cfg = Map.of("replication.pool.max-size", "4", "replication.pool.connection-timeout", "5s");
        Replication one = ctx.library(List.of(), cfg);
        // the primary takes an equal share of reads beside the two replicas: three nodes serve reads
        Map<String, String> cfg3 = new LinkedHashMap<>(cfg);
        cfg3.put("replication.primary.read-weight", "1");
        Replication three = ctx.library(ctx.cluster().replicas(), cfg3);
        Map<String, Runnable> reads = Map.of(
                ONE, () -> one.read(em -> em.createNativeQuery("SELECT 1 FROM pg_sleep(0.005)").getSingleResult()),
                THREE, () -> three.read(em -> em.createNativeQuery("SELECT 1 FROM pg_sleep(0.005)").getSingleResult()));
        Map<String, Long> spread = new ConcurrentHashMap<>();
        for (int i = 0; i < 60; i++) {
            int p = three.read(Work::port);
            spread.merge(ctx.nodeName(p), 1L, Long::sum);
        }
        int n = ctx.options().reps(5);
        List<String> variants = List.of(ONE, THREE);
        Map<String, LongAdder> failures = Map.of(ONE, new LongAdder(), THREE, new LongAdder());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        Map<String, List<Double>> runs;
        try {
            Harness.warmUp(1, variants, v -> Harness.concurrent(pool, THREADS, reads.get(v), 1000, new LongAdder()));
            runs = Harness.interleaved(n, variants,
                    v -> Harness.concurrent(pool, THREADS, reads.get(v), SLICE_MILLIS, failures.get(v)),
                    (i, rep) -> progress("  rep " + (i + 1) + "/" + n + ": primary only " + fmt(rep.get(ONE), 0)
                            + " reads/s, primary + 2 replicas " + fmt(rep.get(THREE), 0) + " reads/s"));
        } finally {
            pool.shutdownNow();
        }
        long failA = failures.get(ONE).sum();
        long failB = failures.get(THREE).sum();
        double ma = Stats.median(runs.get(ONE));
        double mb = Stats.median(runs.get(THREE));
        Map<String, Object> s = ctx.report().section("2_read_capacity");
        s.put("description", "24 client threads, each read = Replication.read(SELECT 1 FROM pg_sleep(0.005)),"
                + " replication.pool.max-size=4; A: no replicas configured (reads on the primary), B: primary + 2 replicas with"
                + " replication.primary.read-weight=1 (the primary takes an equal share of reads)");
        s.put("sliceMillis", SLICE_MILLIS);
        s.put("primaryOnlyReadsPerSec", runs.get(ONE));
        s.put("withReplicasReadsPerSec", runs.get(THREE));
        s.put("primaryOnlyMedian", ma);
        s.put("withReplicasMedian", mb);
        s.put("ratio", mb / ma);
        s.put("failedReads", Map.of("primaryOnly", failA, "withReplicas", failB));
        s.put("readSpreadWithReplicas", new LinkedHashMap<>(spread));
        s.put("theoreticalCeiling", Map.of("primaryOnly", 4 / 0.005, "withReplicas", 12 / 0.005,
                "note", "three pools of 4 (primary with read-weight 1, two replicas) give at most 3x"));
        ctx.report().row("2 read capacity", "reads/s primary only vs primary + 2 replicas", fmt(ma, 0) + " vs " + fmt(mb, 0),
                "24 threads, pg_sleep 5 ms, pool 4/node; failed reads " + failA + " / " + failB);
        ctx.report().row("2 read capacity", "ratio (ideal 3: primary read-weight 1 + 2 replicas)", fmt(mb / ma, 2),
                "spread of 60 reads: " + new TreeMap<>(spread));
    }
}
