package dev.replication.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * The measuring loop shared by the benchmarks: warm-up, repetitions with the variants' order
 * rotated each time (A B, then B A, ...), and timed runs on one or many threads. Medians and
 * percentiles are in {@link Stats}.
 */
final class Harness {

    private Harness() {
    }

    /** One measurement of one variant; {@code variant} is its key. */
    @FunctionalInterface
    interface Measure<T> {
        T run(String variant) throws Exception;
    }

    /** Throughput of a single-thread run and the calling thread's CPU time per operation. */
    record Throughput(double opsPerSec, double cpuNanosPerOp) {
    }

    /** {@code rounds} times every variant in the given order. */
    static void warmUpOps(int rounds, List<String> variants, Op op) throws Exception {
        for (int i = 0; i < rounds; i++) {
            for (String v : variants) {
                op.run(v);
            }
        }
    }

    /** {@code rounds} times every variant in the given order, results discarded. */
    static void warmUp(int rounds, List<String> variants, Measure<?> measure) throws Exception {
        for (int i = 0; i < rounds; i++) {
            for (String v : variants) {
                measure.run(v);
            }
        }
    }

    /**
     * {@code reps} repetitions of every variant, the order rotated by one each repetition (for two
     * variants: A B, B A, A B, ...). Returns each variant's results in repetition order;
     * {@code afterRep} gets the repetition index and that repetition's results.
     */
    static <T> Map<String, List<T>> interleaved(int reps, List<String> variants, Measure<T> measure,
            BiConsumer<Integer, Map<String, T>> afterRep) throws Exception {
        Map<String, List<T>> all = new LinkedHashMap<>();
        variants.forEach(v -> all.put(v, new ArrayList<>()));
        for (int i = 0; i < reps; i++) {
            List<String> order = new ArrayList<>(variants);
            Collections.rotate(order, -i);
            Map<String, T> rep = new LinkedHashMap<>();
            for (String v : order) {
                rep.put(v, measure.run(v));
            }
            variants.forEach(v -> all.get(v).add(rep.get(v)));
            afterRep.accept(i, rep);
        }
        return all;
    }

    /** One timed operation of one variant; {@code variant} is its key. */
    @FunctionalInterface
    interface Op {
        void run(String variant) throws Exception;
    }

    /**
     * Latencies (ns) of {@code perRep} operations of every variant in each of {@code reps}
     * repetitions, interleaved operation by operation, the order rotated by one each time (A B,
     * B A, ... for two variants), so that load changes on the machine hit every variant alike.
     * Returns each variant's latencies per repetition; {@code afterRep} gets the repetition index
     * and that repetition's latencies.
     */
    static Map<String, List<long[]>> interleavedLatencies(int reps, int perRep, List<String> variants, Op op,
            BiConsumer<Integer, Map<String, long[]>> afterRep) throws Exception {
        Map<String, List<long[]>> all = new LinkedHashMap<>();
        variants.forEach(v -> all.put(v, new ArrayList<>()));
        int n = variants.size();
        for (int r = 0; r < reps; r++) {
            Map<String, long[]> rep = new LinkedHashMap<>();
            variants.forEach(v -> rep.put(v, new long[perRep]));
            for (int i = 0; i < perRep; i++) {
                for (int k = 0; k < n; k++) {
                    String v = variants.get((r + i + k) % n);
                    long t = System.nanoTime();
                    op.run(v);
                    rep.get(v)[i] = System.nanoTime() - t;
                }
            }
            variants.forEach(v -> all.get(v).add(rep.get(v)));
            afterRep.accept(r, rep);
        }
        return all;
    }

    /** Runs {@code op} on this thread for at least {@code millis}. */
    static Throughput singleThread(Runnable op, long millis) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
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
        return new Throughput(n / ((now - start) / 1e9), (mx.getCurrentThreadCpuTime() - cpu0) / (double) n);
    }

    /**
     * Operations per second of {@code op} on {@code threads} threads of {@code pool} for
     * {@code millis}; operations that throw are counted in {@code failures}, not in the result.
     */
    static double concurrent(ExecutorService pool, int threads, Runnable op, long millis, LongAdder failures)
            throws InterruptedException {
        LongAdder ops = new LongAdder();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
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
        long start = System.nanoTime();
        go.countDown();
        Thread.sleep(millis);
        long counted = ops.sum();
        long end = System.nanoTime();
        stop.set(true);
        done.await();
        return counted / ((end - start) / 1e9);
    }

    /** Sleeps, turning an interrupt into an unchecked failure of the benchmark. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
}
