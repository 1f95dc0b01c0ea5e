package dev.replication.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Latencies of a variant A against a baseline B measured in the same interleaved repetitions: the
 * p50 of each repetition, their ratio A/B and difference per repetition, and medians over the
 * repetitions (what the tables report), plus percentiles and means over all samples.
 *
 * @param p50A per-repetition p50 of A (ns)
 * @param p50B per-repetition p50 of B (ns)
 * @param all what every sample of A and B gives: p99 and mean
 */
record Comparison(List<Double> p50A, List<Double> p50B, List<Double> ratios, List<Double> diffs, long[] allA, long[] allB) {

    static Comparison of(List<long[]> a, List<long[]> b) {
        List<Double> pa = new ArrayList<>();
        List<Double> pb = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> diffs = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            double x = Stats.p50(a.get(i));
            double y = Stats.p50(b.get(i));
            pa.add(x);
            pb.add(y);
            ratios.add(x / y);
            diffs.add(x - y);
        }
        return new Comparison(pa, pb, ratios, diffs, Stats.concat(a), Stats.concat(b));
    }

    double medianP50A() {
        return Stats.median(p50A);
    }

    double medianP50B() {
        return Stats.median(p50B);
    }

    /** Median over repetitions of p50(A)/p50(B). */
    double medianRatio() {
        return Stats.median(ratios);
    }

    double minRatio() {
        return ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double maxRatio() {
        return ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Median over repetitions of p50(A) − p50(B), ns. */
    double medianDiff() {
        return Stats.median(diffs);
    }

    double p99A() {
        return Stats.percentile(allA, 99);
    }

    double p99B() {
        return Stats.percentile(allB, 99);
    }

    double meanA() {
        return Arrays.stream(allA).average().orElse(Double.NaN);
    }

    double meanB() {
        return Arrays.stream(allB).average().orElse(Double.NaN);
    }

    double meanRatio() {
        return meanA() / meanB();
    }

    /** Writes the comparison into a JSON section, keys prefixed by the variants' names (µs). */
    void put(Map<String, Object> s, String a, String b) {
        s.put(a + "P50MicrosPerRep", p50A.stream().map(Stats::us).toList());
        s.put(b + "P50MicrosPerRep", p50B.stream().map(Stats::us).toList());
        s.put("p50RatioPerRep", ratios);
        s.put(a + "MedianP50Micros", Stats.us(medianP50A()));
        s.put(b + "MedianP50Micros", Stats.us(medianP50B()));
        s.put("medianP50Ratio", medianRatio());
        s.put("minP50Ratio", minRatio());
        s.put("maxP50Ratio", maxRatio());
        s.put("medianP50AddedMicros", Stats.us(medianDiff()));
        s.put(a + "P99Micros", Stats.us(p99A()));
        s.put(b + "P99Micros", Stats.us(p99B()));
        s.put(a + "MeanMicros", Stats.us(meanA()));
        s.put(b + "MeanMicros", Stats.us(meanB()));
        s.put("meanRatio", meanRatio());
    }
}
