package dev.replication.guarantees;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica SIGKILLed under read load, the same body in every mode: {@code threads} clients read
 * existing rows without pause; one replica is killed after {@code before}; the load runs
 * {@code after} more. Every read must succeed and return its row (0 failed), and reads must go on
 * after the kill. The killed replica is started again at the end.
 */
public final class ReplicaKillBody {

    /** What one run saw, for the report. */
    public record Result(String mode, int reads, int readsAfterKill, int failed, List<String> failures) {
        @Override
        public String toString() {
            return "[guarantee] replica SIGKILL under load in " + mode + ": " + failed + " failed of " + reads
                    + " reads (" + readsAfterKill + " after the kill)";
        }
    }

    private ReplicaKillBody() {
    }

    public static Result run(GuaranteeMode mode, int threads, Duration before, Duration after) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(mode.insert("k" + i));
        }
        // every replica has the rows before the load starts: a missing row would be a failure below
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (long id : ids) {
            while (mode.asOtherClient(null, () -> mode.read(id)).value() == null) {
                assertThat(System.nanoTime()).as("%s: rows replicated within 30 s", mode.name()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger readsAfterKill = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            load.add(pool.submit(() -> {
                int i = offset;
                while (!stop.get()) {
                    long id = ids.get(i++ % ids.size());
                    try {
                        GuaranteeMode.Read r = mode.asOtherClient(null, () -> mode.read(id));
                        if (r.value() == null) {
                            failures.add("row " + id + " missing on port " + r.port());
                        }
                    } catch (Exception e) {
                        failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    reads.incrementAndGet();
                    if (killed.get()) {
                        readsAfterKill.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        try {
            Thread.sleep(before.toMillis()); // load duration, not a wait for a condition
            mode.killReplica();
            killed.set(true);
            Thread.sleep(after.toMillis());
        } finally {
            stop.set(true);
            for (Future<?> f : load) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
        Result result = new Result(mode.name(), reads.get(), readsAfterKill.get(), failures.size(),
                failures.stream().limit(5).toList());
        System.out.println(result);
        try {
            assertThat(result.failed()).as("%s: failed reads, first ones: %s", mode.name(), result.failures()).isZero();
            assertThat(result.readsAfterKill()).as("%s: reads went on after the kill", mode.name()).isPositive();
        } finally {
            mode.restartKilledReplica();
        }
        return result;
    }
}
