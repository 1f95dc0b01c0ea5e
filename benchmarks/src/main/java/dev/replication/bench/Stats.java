package dev.replication.bench;

import java.util.Arrays;
import java.util.List;

/** Small statistics helpers: medians and nearest-rank percentiles. */
final class Stats {
    private Stats() {
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] a = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2.0;
    }

    /** Nearest-rank percentile ({@code p} in 0..100) of {@code values}; NaN when empty. */
    static double percentile(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] a = values.clone();
        Arrays.sort(a);
        int rank = (int) Math.ceil(p / 100.0 * a.length);
        return a[Math.max(0, Math.min(a.length - 1, rank - 1))];
    }

    /** The median (nearest-rank p50) of {@code values}. */
    static double p50(long[] values) {
        return percentile(values, 50);
    }

    /** All arrays in one. */
    static long[] concat(List<long[]> arrays) {
        return arrays.stream().flatMapToLong(java.util.Arrays::stream).toArray();
    }

    static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** Nanoseconds to microseconds. */
    static double us(double nanos) {
        return nanos / 1_000.0;
    }

    /** Nanoseconds to milliseconds. */
    static double ms(double nanos) {
        return nanos / 1_000_000.0;
    }
}
