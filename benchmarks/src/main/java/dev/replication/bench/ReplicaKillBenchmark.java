package dev.replication.bench;

import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.PgNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Benchmark 5, first part: SIGKILL of one replica under 8 threads of library reads; failed reads,
 * recovery time and longest gap, then restart and time until the monitor readmits it.
 */
final class ReplicaKillBenchmark implements Benchmark {

    private static final int THREADS = 8;

    /** One read: start and end (nanoTime) and whether it succeeded. */
    private record Event(long start, long end, boolean ok) {
    }

    @Override
    public void run(BenchContext ctx) throws InterruptedException {
        PgNode victim = ctx.replica(1);
        progress("5/5 faults: SIGKILL replica " + victim.name() + " under read load (8 threads)");
        ctx.cluster().awaitReplicated(Duration.ofSeconds(30));
        Replication lib = ctx.library(ctx.cluster().replicas(), Map.of());
        LongAdder retries = new LongAdder();
        lib.addListener(new RoutingListener() {
            @Override
            public void readRetried(String failedNode, String reason) {
                retries.increment();
            }
        });
        ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch done = new CountDownLatch(THREADS);
        for (int t = 0; t < THREADS; t++) {
            pool.execute(() -> {
                try {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        boolean ok = true;
                        try {
                            lib.read(em -> em.find(Item.class, Work.randomId()));
                        } catch (RuntimeException e) {
                            ok = false;
                            if (failures.size() < 5) {
                                failures.add(Harness.describe(e));
                            }
                        }
                        events.add(new Event(s, System.nanoTime(), ok));
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

        List<Event> ev = new ArrayList<>(events);
        ev.sort(Comparator.comparingLong(Event::end));
        long failed = ev.stream().filter(e -> !e.ok()).count();
        long lastFailureEnd = ev.stream().filter(e -> !e.ok()).mapToLong(Event::end).max().orElse(kill);
        long firstOkAfter = ev.stream().filter(e -> e.ok() && e.start() >= lastFailureEnd).mapToLong(Event::end).min().orElse(end);
        double recoverMs = failed == 0 ? 0 : Stats.ms(firstOkAfter - kill);
        long prev = kill;
        long maxGap = 0;
        for (Event e : ev) {
            if (e.ok() && e.end() >= kill) {
                maxGap = Math.max(maxGap, e.end() - prev);
                prev = e.end();
            }
        }
        long before = ev.stream().filter(e -> e.ok() && e.end() < kill && e.end() >= kill - 2_000_000_000L).count();
        long after = ev.stream().filter(e -> e.ok() && e.end() >= kill + 1_000_000_000L && e.end() < kill + 5_000_000_000L).count();
        double slowestMs = Stats.ms(ev.stream().filter(e -> e.end() >= kill).mapToLong(e -> e.end() - e.start()).max().orElse(0));

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
            Harness.sleep(50);
        }
        Map<String, Object> s = ctx.report().section("5a_replica_kill");
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
        Report report = ctx.report();
        report.row("5 faults", "replica SIGKILL under 8-thread read load: failed reads", String.valueOf(failed),
                ev.size() + " reads in 7 s; " + retries.sum() + " transparent retries");
        report.row("5 faults", "time until all reads succeed again", fmt(recoverMs, 0) + " ms",
                "longest gap between successful reads " + fmt(Stats.ms(maxGap), 0) + " ms; slowest read "
                        + fmt(slowestMs, 0) + " ms; reads/s " + fmt(before / 2.0, 0) + " before → " + fmt(after / 4.0, 0) + " after");
        report.row("5 faults", "killed replica restarted → readmitted", readmitted < 0 ? "not within 30 s"
                : fmt(Stats.ms(readmitted - started), 0) + " ms", "restart took " + fmt(Stats.ms(started - restart), 0)
                + " ms; readmit-after=3 good checks at 1 s interval");
    }
}
