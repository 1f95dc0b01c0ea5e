package dev.replication.bench;

import dev.replication.Replication;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.replication.bench.BenchContext.DB;
import static dev.replication.bench.BenchContext.RYW_BASE;
import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Benchmark 3: write-then-read cycles with {@code recovery_min_apply_delay = 50ms} on both
 * replicas; counts stale reads and read latency of the library and three baselines, and where
 * the library's reads went.
 */
final class ReadYourWritesBenchmark implements Benchmark {

    private static final Duration APPLY_DELAY = Duration.ofMillis(50);

    /** Per variant: read latencies, stale reads, failed cycles and the last value written. */
    private static final class Tally {
        final List<Long> latencies = new ArrayList<>();
        long stale;
        long errors;
        long value = 1_000;
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int total = ctx.options().cycles();
        int rounds = Math.min(10, Math.max(1, total / 20));
        int perRound = Math.max(1, total / rounds);
        progress("3/5 read-your-writes under 50 ms apply delay: " + rounds * perRound + " write-then-read cycles per variant, "
                + rounds + " interleaved rounds");
        PgNode r1 = ctx.replica(0);
        PgNode r2 = ctx.replica(1);
        Replication lib = ctx.library(ctx.cluster().replicas(), Map.of("replication.selector", "round-robin"));
        LibraryWriteThenRead library = new LibraryWriteThenRead(lib, List.of(r1.name(), r2.name()), RYW_BASE + 1);
        BaselinePools pools = new BaselinePools(ctx);
        EntityManagerFactory primary = pools.plain("primary", ctx.cluster().primary().jdbcUrl(DB), false);
        EntityManagerFactory replica = pools.plain("replica", r1.jdbcUrl(DB), true);
        String multi = "jdbc:postgresql://" + r1.host() + ":" + r1.port() + "," + r2.host() + ":" + r2.port() + "/" + DB
                + "?targetServerType=preferSecondary&loadBalanceHosts=true";
        EntityManagerFactory multiHost = pools.plain("multihost", multi, true);
        Map<String, WriteThenRead> variants = new LinkedHashMap<>();
        for (WriteThenRead v : List.of(library,
                new PlainWriteThenRead("b_naive_split", "(b) naive split, no token", primary, replica, RYW_BASE + 2,
                        PlainWriteThenRead.Gate.NONE),
                new PlainWriteThenRead("c_pgjdbc_multihost", "(c) pgjdbc preferSecondary+loadBalanceHosts", primary,
                        multiHost, RYW_BASE + 3, PlainWriteThenRead.Gate.NONE),
                new PlainWriteThenRead("d_seed_lag_wait", "(d) seed: wait lag < 1 s, then replica", primary, replica,
                        RYW_BASE + 4, new SeedLagWait()))) {
            variants.put(v.key(), v);
        }
        // sanity: the multi-host pool reaches secondaries
        Map<String, Long> multiSpread = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            multiSpread.merge(ctx.nodeName(Work.plainTx(multiHost, true, Work::port)), 1L, Long::sum);
        }
        r1.setApplyDelay(APPLY_DELAY);
        r2.setApplyDelay(APPLY_DELAY);
        List<String> names = new ArrayList<>(variants.keySet());
        Map<String, Tally> tallies = new LinkedHashMap<>();
        names.forEach(k -> tallies.put(k, new Tally()));
        long started;
        try {
            Harness.warmUp(1, names, k -> {
                for (int i = 0; i < 20; i++) {
                    variants.get(k).cycle(++tallies.get(k).value);
                }
                return null;
            });
            variants.values().forEach(WriteThenRead::resetCounters);
            started = System.nanoTime();
            Harness.interleaved(rounds, names, k -> {
                measure(variants.get(k), tallies.get(k), perRound);
                return null;
            }, (round, rep) -> progress("  round " + (round + 1) + "/" + rounds + " done; stale so far " + names.stream()
                    .map(k -> k + "=" + tallies.get(k).stale).toList()));
        } finally {
            r1.setApplyDelay(Duration.ZERO);
            r2.setApplyDelay(Duration.ZERO);
        }
        double seconds = Stats.ms(System.nanoTime() - started) / 1000;
        Map<String, Object> s = ctx.report().section("3_read_your_writes");
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
        for (WriteThenRead v : variants.values()) {
            s.put(v.key(), summary(ctx.report(), v, tallies.get(v.key())));
        }
        ReadSpread spread = library.spread();
        ctx.report().row("3 read-your-writes", "(a) routing detail", "",
                "reads per node " + spread.readsPerNode() + "; token waits " + library.tokenWaits()
                        + ", wait timeouts → primary " + library.tokenTimeouts()
                        + (rounds * perRound < 2000 ? "; REDUCED to " + rounds * perRound + " cycles" : ""));
        ctx.report().row("3 read-your-writes", "(a) reads per node (share); round-robin over " + spread.replicas().size()
                        + " replicas, each within ±" + fmt(100 * ReadSpread.TOLERANCE, 0) + " % of "
                        + fmt(100 * spread.expectedReplicaShare(), 0) + " %",
                spread.counts(), spread.verdict());
    }

    private static void measure(WriteThenRead variant, Tally tally, int cycles) {
        for (int i = 0; i < cycles; i++) {
            long v = ++tally.value;
            try {
                WriteThenRead.Outcome res = variant.cycle(v);
                tally.latencies.add(res.readNanos());
                if (res.read() != v) {
                    tally.stale++;
                }
            } catch (RuntimeException e) {
                tally.errors++;
            }
        }
    }

    /** The variant's JSON object; adds its table row. */
    private static Map<String, Object> summary(Report report, WriteThenRead variant, Tally t) {
        long[] l = Stats.toArray(t.latencies);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("cycles", l.length + t.errors);
        v.put("stale", t.stale);
        v.put("errors", t.errors);
        v.put("readP50Millis", Stats.ms(Stats.percentile(l, 50)));
        v.put("readP99Millis", Stats.ms(Stats.percentile(l, 99)));
        v.put("readMeanMillis", Stats.ms(Arrays.stream(l).average().orElse(Double.NaN)));
        variant.addDetails(v);
        report.row("3 read-your-writes", variant.label() + ": stale / cycles; read p50 / p99",
                t.stale + " / " + (l.length + t.errors) + "; "
                        + fmt(Stats.ms(Stats.percentile(l, 50)), 2) + " / " + fmt(Stats.ms(Stats.percentile(l, 99)), 2) + " ms",
                t.errors > 0 ? t.errors + " failed cycles" : "");
        return v;
    }
}
