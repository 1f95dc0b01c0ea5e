package dev.replication.bench;

import dev.replication.ConsistencyScope;
import dev.replication.Intent;
import dev.replication.Replication;
import dev.replication.Routing;
import dev.replication.RoutingDecision;
import dev.replication.RoutingScope;
import dev.replication.integration.spi.ReplicationIntegration;
import dev.replication.spi.RoutingListener;
import jakarta.persistence.EntityManagerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;
import static dev.replication.bench.TokenCostBenchmark.signed;

/**
 * Benchmark 4, JTA part: what the library adds to a JTA write transaction (Narayana + Agroal, as a
 * container runs it: the transaction manager begins, a new EntityManager joins, one-row JPQL
 * UPDATE, the transaction manager commits), against the same transaction on a plain Hibernate JTA
 * unit over an Agroal pool of the same size to the same primary.
 * <ol>
 *   <li>Write transactions: the library with {@code consistency=wait} (a JTA commit records a
 *       pending position, nothing is queried) and with {@code consistency=off}, vs plain;
 *       interleaved transaction by transaction. Goal: library / plain p50 ≤ {@value #GOAL}.</li>
 *   <li>Write-then-read pairs, so that the cost moved from the commit to the first read shows: in a
 *       fresh {@link ConsistencyScope} per pair, the write, then a read that needs its position (the
 *       pending position is resolved by one question on the primary, then the read goes to a
 *       replica that replayed it, waiting if none has yet), vs plain: the write, then the read on
 *       the same primary. The resolution is timed on its own ({@code ConsistencyScope.token()},
 *       which the read would otherwise do first).</li>
 * </ol>
 */
final class JtaTokenCostBenchmark implements Benchmark {

    /** Goal for the median of the per-repetition p50 ratios, library / plain. */
    static final double GOAL = 1.10;
    private static final List<String> WRITE_VARIANTS = List.of("library", "library_off", "plain");
    private static final List<String> PAIR_VARIANTS = List.of("library", "plain");

    @Override
    public void run(BenchContext ctx) throws Exception {
        int reps = ctx.options().reps(15);
        int writes = ctx.options().tokenWrites();
        int pairs = Math.max(1, writes / 2);
        progress("4/5 token cost, JTA (Narayana + Agroal, pool " + JtaPools.POOL_SIZE + "): write transactions, library"
                + " (consistency=wait, =off) vs plain Hibernate JTA unit, " + reps + " repetitions of " + writes
                + " each; then write-then-read pairs, " + reps + " × " + pairs);
        ctx.cluster().awaitReplicated(Duration.ofSeconds(30));
        JtaPools pools = new JtaPools(ctx);
        Map<String, EntityManagerFactory> units = new LinkedHashMap<>();
        units.put("library", pools.library(Map.of("replication.consistency", "wait")));
        units.put("library_off", pools.library(Map.of("replication.consistency", "off")));
        units.put("plain", pools.plain());
        Map<String, ReplicationIntegration> integrations = new LinkedHashMap<>();
        integrations.put("library", ReplicationIntegration.of(units.get("library")));
        integrations.put("library_off", ReplicationIntegration.of(units.get("library_off")));
        ReplicationIntegration integration = integrations.get("library");
        Replication library = Replication.of(units.get("library"));
        library.monitor().checkNow();
        Replication.of(units.get("library_off")).monitor().checkNow();
        long id = BenchContext.RYW_BASE + 11;
        AtomicLong value = new AtomicLong();

        // 1: write transactions
        Harness.Op write = k -> {
            long v = value.incrementAndGet();
            write(units.get(k), integrations.get(k), id, v);
        };
        Harness.warmUpOps(500, WRITE_VARIANTS, write);
        Map<String, List<long[]>> lat = Harness.interleavedLatencies(reps, writes, WRITE_VARIANTS, write, (r, rep) ->
                progress("  writes rep " + (r + 1) + "/" + reps + ": p50 library " + us(rep.get("library"))
                        + " µs, library off " + us(rep.get("library_off")) + " µs, plain " + us(rep.get("plain"))
                        + " µs, ratio " + fmt(Stats.p50(rep.get("library")) / Stats.p50(rep.get("plain")), 3)));
        Comparison libVsPlain = Comparison.of(lat.get("library"), lat.get("plain"));
        Comparison offVsPlain = Comparison.of(lat.get("library_off"), lat.get("plain"));
        Comparison libVsOff = Comparison.of(lat.get("library"), lat.get("library_off"));

        // 2: write-then-read pairs
        ctx.cluster().awaitReplicated(Duration.ofSeconds(30));
        ReadCounts counts = new ReadCounts();
        library.addListener(counts);
        Map<String, List<Long>> writePhase = new ConcurrentHashMap<>();
        Map<String, List<Long>> readPhase = new ConcurrentHashMap<>();
        List<Long> resolvePhase = new ArrayList<>();
        LongAdder stale = new LongAdder();
        boolean[] measuring = {false};
        Harness.Op pair = k -> {
            long v = value.incrementAndGet();
            boolean lib = k.equals("library");
            EntityManagerFactory emf = units.get(k);
            try (ConsistencyScope.Binding bound = new ConsistencyScope().bind()) {
                long t0 = System.nanoTime();
                write(emf, integrations.get(k), id, v);
                long t1 = System.nanoTime();
                if (lib) {
                    ConsistencyScope.current().token(); // the resolution the read would do first
                }
                long t2 = System.nanoTime();
                long seen;
                if (lib) {
                    try (RoutingScope scope = Routing.open(Intent.READ)) {
                        integration.resolveCurrentScope();
                        seen = JtaPools.inTransaction(emf, true, em -> Work.readVal(em, id));
                    }
                } else {
                    seen = JtaPools.inTransaction(emf, true, em -> Work.readVal(em, id));
                }
                long t3 = System.nanoTime();
                if (measuring[0]) {
                    writePhase.computeIfAbsent(k, x -> new ArrayList<>()).add(t1 - t0);
                    readPhase.computeIfAbsent(k, x -> new ArrayList<>()).add(t3 - t2);
                    if (lib) {
                        resolvePhase.add(t2 - t1);
                    }
                    if (seen != v) {
                        stale.increment();
                    }
                }
            }
        };
        Harness.warmUpOps(200, PAIR_VARIANTS, pair);
        counts.reset();
        measuring[0] = true;
        Map<String, List<long[]>> pairLat = Harness.interleavedLatencies(reps, pairs, PAIR_VARIANTS, pair, (r, rep) ->
                progress("  pairs rep " + (r + 1) + "/" + reps + ": p50 library " + us(rep.get("library"))
                        + " µs, plain " + us(rep.get("plain")) + " µs, ratio "
                        + fmt(Stats.p50(rep.get("library")) / Stats.p50(rep.get("plain")), 3)));
        library.removeListener(counts);
        Comparison pairCmp = Comparison.of(pairLat.get("library"), pairLat.get("plain"));

        report(ctx, reps, writes, pairs, libVsPlain, offVsPlain, libVsOff, pairCmp, writePhase, readPhase,
                resolvePhase, stale.sum(), counts);
    }

    private static void report(BenchContext ctx, int reps, int writes, int pairs, Comparison libVsPlain,
            Comparison offVsPlain, Comparison libVsOff, Comparison pairCmp, Map<String, List<Long>> writePhase,
            Map<String, List<Long>> readPhase, List<Long> resolvePhase, long stale, ReadCounts counts) {
        Map<String, Object> s = ctx.report().section("4_token_cost_jta");
        s.put("description", "JTA write transaction (Narayana TM begin, new EntityManager joins, JPQL UPDATE of one row,"
                + " TM commit), one thread; the library's JTA unit (Agroal pool per node, primary + 2 replicas,"
                + " Routing.open(WRITE) as @Primary does) with consistency=wait and =off vs plain Hibernate on a JTA"
                + " unit over one Agroal pool to the same primary; pool size " + JtaPools.POOL_SIZE + " everywhere;"
                + " interleaved transaction by transaction; ratios are of per-repetition p50s");
        s.put("repetitions", reps);
        s.put("writesPerVariantPerRep", writes);
        Map<String, Object> w = new LinkedHashMap<>();
        libVsPlain.put(w, "library", "plain");
        w.put("goalP50Ratio", GOAL);
        w.put("goalMet", libVsPlain.medianRatio() <= GOAL);
        s.put("libraryVsPlain", w);
        Map<String, Object> o = new LinkedHashMap<>();
        offVsPlain.put(o, "libraryOff", "plain");
        s.put("libraryConsistencyOffVsPlain", o);
        Map<String, Object> lo = new LinkedHashMap<>();
        libVsOff.put(lo, "library", "libraryOff");
        s.put("libraryWaitVsOff", lo);

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("description", "a fresh ConsistencyScope per pair: the write transaction, then a JTA read transaction"
                + " (library: Routing.open(READ), needs the write's position: resolved by one question on the primary,"
                + " then a replica that replayed it, waiting if none has; plain: the read on the same primary)");
        p.put("pairsPerVariantPerRep", pairs);
        pairCmp.put(p, "library", "plain");
        long[] lw = Stats.toArray(writePhase.get("library"));
        long[] pw = Stats.toArray(writePhase.get("plain"));
        long[] lr = Stats.toArray(readPhase.get("library"));
        long[] pr = Stats.toArray(readPhase.get("plain"));
        long[] res = Stats.toArray(resolvePhase);
        p.put("libraryWriteP50Micros", Stats.us(Stats.p50(lw)));
        p.put("plainWriteP50Micros", Stats.us(Stats.p50(pw)));
        p.put("libraryResolveP50Micros", Stats.us(Stats.p50(res)));
        p.put("libraryResolveP99Micros", Stats.us(Stats.percentile(res, 99)));
        p.put("libraryReadP50Micros", Stats.us(Stats.p50(lr)));
        p.put("plainReadP50Micros", Stats.us(Stats.p50(pr)));
        p.put("libraryReadP99Micros", Stats.us(Stats.percentile(lr, 99)));
        p.put("plainReadP99Micros", Stats.us(Stats.percentile(pr, 99)));
        p.put("staleReads", stale);
        p.put("libraryReadsByReason", new LinkedHashMap<>(counts.byReason));
        p.put("libraryReadsByNode", new LinkedHashMap<>(counts.byNode));
        p.put("libraryTokenWaits", counts.waits.sum());
        p.put("libraryTokenWaitMedianMicros", Stats.us(Stats.p50(Stats.toArray(new ArrayList<>(counts.waitNanos)))));
        s.put("writeThenRead", p);

        Report r = ctx.report();
        String b = "4 token cost, JTA (Narayana + Agroal)";
        r.row(b, "write tx p50: library (consistency=wait) vs plain JTA unit (median of " + reps + " reps)",
                fmt(Stats.ms(libVsPlain.medianP50A()), 3) + " vs " + fmt(Stats.ms(libVsPlain.medianP50B()), 3) + " ms",
                reps + " × " + writes + " transactions each, interleaved; same primary, entity, Agroal pool size "
                        + JtaPools.POOL_SIZE + "; p99 (all) " + fmt(Stats.ms(libVsPlain.p99A()), 3) + " vs "
                        + fmt(Stats.ms(libVsPlain.p99B()), 3) + " ms");
        r.row(b, "p50 ratio library/plain (goal ≤ " + fmt(GOAL, 2) + ")", fmt(libVsPlain.medianRatio(), 3),
                "median of " + reps + " per-rep ratios (range " + fmt(libVsPlain.minRatio(), 3) + "–"
                        + fmt(libVsPlain.maxRatio(), 3) + "); " + signed(Stats.us(libVsPlain.medianDiff()))
                        + " µs per transaction; goal " + (libVsPlain.medianRatio() <= GOAL ? "met" : "missed"));
        r.row(b, "p50 ratio library consistency=off / plain; wait / off", fmt(offVsPlain.medianRatio(), 3) + "; "
                        + fmt(libVsOff.medianRatio(), 3),
                "routing alone " + signed(Stats.us(offVsPlain.medianDiff())) + " µs; token bookkeeping at commit "
                        + signed(Stats.us(libVsOff.medianDiff())) + " µs (pending position, no query)");
        r.row(b, "write-then-read pair p50: library vs plain (median of " + reps + " reps)",
                fmt(Stats.ms(pairCmp.medianP50A()), 3) + " vs " + fmt(Stats.ms(pairCmp.medianP50B()), 3) + " ms (ratio "
                        + fmt(pairCmp.medianRatio(), 3) + ")",
                reps + " × " + pairs + " pairs, interleaved; library read needs the write's position: resolution p50 "
                        + fmt(Stats.us(Stats.p50(res)), 0) + " µs (one question on the primary), read p50 "
                        + fmt(Stats.us(Stats.p50(lr)), 0) + " µs on a replica vs " + fmt(Stats.us(Stats.p50(pr)), 0)
                        + " µs on the primary (plain); write p50 " + fmt(Stats.us(Stats.p50(lw)), 0) + " vs "
                        + fmt(Stats.us(Stats.p50(pw)), 0) + " µs");
        r.row(b, "write-then-read: library reads by routing reason; stale", counts.byReason + "; " + stale,
                "token waits " + counts.waits.sum() + " (median " + fmt(Stats.us(Stats.p50(Stats.toArray(
                        new ArrayList<>(counts.waitNanos)))), 0) + " µs); reads per node " + counts.byNode);
    }

    /**
     * One JTA write transaction; the library's as its CDI interceptor runs a {@code @Primary} call:
     * a WRITE routing scope resolved before the transaction begins.
     */
    static void write(EntityManagerFactory emf, ReplicationIntegration routed, long id, long v) throws Exception {
        if (routed != null) {
            try (RoutingScope scope = Routing.open(Intent.WRITE)) {
                routed.resolveCurrentScope();
                JtaPools.inTransaction(emf, false, em -> Work.update(em, id, v));
            }
        } else {
            JtaPools.inTransaction(emf, false, em -> Work.update(em, id, v));
        }
    }

    private static String us(long[] lat) {
        return fmt(Stats.us(Stats.p50(lat)), 0);
    }

    /** The library's read decisions by reason and node, and its token waits. */
    private static final class ReadCounts implements RoutingListener {
        final Map<String, Long> byReason = new ConcurrentHashMap<>();
        final Map<String, Long> byNode = new ConcurrentHashMap<>();
        final LongAdder waits = new LongAdder();
        final List<Long> waitNanos = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void routed(RoutingDecision d) {
            if (d.intent() == Intent.READ) {
                byReason.merge(d.reason().name(), 1L, Long::sum);
                byNode.merge(d.node(), 1L, Long::sum);
            }
        }

        @Override
        public void tokenWaited(String node, Duration waited, boolean satisfied) {
            waits.increment();
            waitNanos.add(waited.toNanos());
        }

        void reset() {
            byReason.clear();
            byNode.clear();
            waits.reset();
            waitNanos.clear();
        }
    }
}
