package dev.replication.bench;

import dev.replication.Replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Benchmark 4: one thread of {@code Replication.write} (one-row JPQL UPDATE), read-your-writes
 * tokens on ({@code consistency=wait}) vs off, in alternating batches.
 */
final class TokenCostBenchmark implements Benchmark {

    private static final int TOTAL = 1000;
    private static final int BATCH = 100;
    private static final List<String> VARIANTS = List.of("on", "off");

    @Override
    public void run(BenchContext ctx) throws Exception {
        progress("4/5 token cost: write transactions, consistency=wait vs off, " + TOTAL + " each in batches of " + BATCH);
        ctx.cluster().awaitReplicated(Duration.ofSeconds(30));
        Map<String, Replication> variants = Map.of(
                "on", ctx.library(ctx.cluster().replicas(), Map.of("replication.consistency", "wait")),
                "off", ctx.library(ctx.cluster().replicas(), Map.of("replication.consistency", "off")));
        long id = BenchContext.RYW_BASE + 10;
        AtomicLong value = new AtomicLong();
        Harness.warmUp(200, VARIANTS, k -> variants.get(k).write(em -> Work.update(em, id, value.incrementAndGet())));
        Map<String, List<List<Long>>> batches = Harness.interleaved(TOTAL / BATCH, VARIANTS, k -> {
            Replication r = variants.get(k);
            List<Long> batchLat = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                long v = value.incrementAndGet();
                long t = System.nanoTime();
                r.write(em -> Work.update(em, id, v));
                batchLat.add(System.nanoTime() - t);
            }
            return batchLat;
        }, (i, rep) -> { });
        long[] a = Stats.toArray(batches.get("on").stream().flatMap(List::stream).toList());
        long[] b = Stats.toArray(batches.get("off").stream().flatMap(List::stream).toList());
        List<Double> batchP50On = batchP50s(batches.get("on"));
        List<Double> batchP50Off = batchP50s(batches.get("off"));
        double p50a = Stats.percentile(a, 50);
        double p50b = Stats.percentile(b, 50);
        double meanA = Arrays.stream(a).average().orElse(Double.NaN);
        double meanB = Arrays.stream(b).average().orElse(Double.NaN);
        Map<String, Object> s = ctx.report().section("4_token_cost");
        s.put("description", "Replication.write(JPQL UPDATE of one row), one thread, primary + 2 replicas configured;"
                + " replication.consistency=wait (token captured at commit) vs off");
        s.put("writesPerVariant", TOTAL);
        s.put("batch", BATCH);
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
        Report report = ctx.report();
        report.row("4 token cost", "write p50 / p99, tokens on", fmt(Stats.ms(p50a), 3) + " / "
                + fmt(Stats.ms(Stats.percentile(a, 99)), 3) + " ms", TOTAL + " writes, interleaved batches of " + BATCH);
        report.row("4 token cost", "write p50 / p99, tokens off", fmt(Stats.ms(p50b), 3) + " / "
                + fmt(Stats.ms(Stats.percentile(b, 99)), 3) + " ms", "");
        report.row("4 token cost", "ratio on/off (p50; mean)", fmt(p50a / p50b, 3) + "; " + fmt(meanA / meanB, 3),
                "median of batch p50s ratio " + fmt(Stats.median(batchP50On) / Stats.median(batchP50Off), 3));
    }

    private static List<Double> batchP50s(List<List<Long>> batches) {
        return batches.stream().map(l -> Stats.percentile(Stats.toArray(l), 50)).toList();
    }
}
