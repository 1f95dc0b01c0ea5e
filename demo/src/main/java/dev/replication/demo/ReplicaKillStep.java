package dev.replication.demo;

import dev.replication.NodeStatus;
import dev.replication.testkit.PgNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static dev.replication.demo.Waits.await;
import static dev.replication.demo.Waits.ms;

/**
 * Step 5: SIGKILL a replica while 6 threads read; every read must succeed (retry on another node).
 * The replica is restarted afterwards, so that the failover step has two standbys to choose from.
 */
final class ReplicaKillStep extends Step {

    ReplicaKillStep() {
        super("5. a replica killed under read load (6 threads): no failed read", true);
    }

    @Override
    boolean run(Scenario s) throws InterruptedException {
        String victim = s.cluster().replicaNames().get(1);
        PgNode node = s.cluster().embedded().node(victim);
        Recorder rec = s.recorder();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong killAt = new AtomicLong(Long.MAX_VALUE);
        LongAdder failed = new LongAdder();
        Map<String, LongAdder> before = new ConcurrentHashMap<>();
        Map<String, LongAdder> after = new ConcurrentHashMap<>();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        long retriesBefore = rec.retries.sum();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    long acc = s.accounts().get(ThreadLocalRandom.current().nextInt(s.accounts().size()));
                    long start = System.nanoTime();
                    try {
                        Served<Long> r = s.inRequest(() -> s.bank().balance(acc));
                        String where = s.isReplica(r) ? r.node() : r.node() + "(primary)";
                        (start < killAt.get() ? before : after).computeIfAbsent(where, k -> new LongAdder()).increment();
                    } catch (RuntimeException e) {
                        failed.increment();
                        if (errors.size() < 3) {
                            errors.add(e.toString());
                        }
                    }
                }
            }, "demo-reader-" + t);
            threads.add(th);
            th.start();
        }
        Thread.sleep(1000); // let the load run on both replicas
        long kill = System.nanoTime();
        killAt.set(kill);
        node.kill();
        Console.line("    %s SIGKILLed (postmaster and children) after 1 s of load; the load goes on for 2 s", victim);
        Thread.sleep(2000);
        stop.set(true);
        for (Thread th : threads) {
            th.join(10_000);
        }
        Map<String, Long> b = sums(before);
        Map<String, Long> a = sums(after);
        long failedReads = failed.sum();
        long reads = total(b) + total(a);
        s.summary().replicaKilled(failedReads, reads);
        Recorder.Event down = rec.firstEvent(victim, "down", kill);
        Console.line("    reads before the kill: %s", b);
        Console.line("    reads after the kill:  %s", a);
        Console.line("    failed reads: %d of %d; reads retried on another node: %d; monitor marked %s down %s",
                failedReads, reads + failedReads, rec.retries.sum() - retriesBefore, victim,
                down == null ? "(not yet)" : ms(down.nanos() - kill) + " ms after the kill");
        errors.forEach(e -> Console.line("    error: %s", e));
        boolean ok = check(failedReads == 0, failedReads + " reads failed");
        ok &= check(total(a) > 0, "no read succeeded after the kill");

        long restart = System.nanoTime();
        try (Console.Progress p = Console.progress("restarting " + victim + " (crash recovery, then streaming) and waiting for readmission")) {
            node.start();
            boolean back = await(Duration.ofSeconds(20), () -> rec.firstEvent(victim, "readmitted", restart) != null
                    || s.app().lag().status().node(victim).map(NodeStatus::usable).orElse(false));
            p.result(back ? victim + " serving reads again" : victim + " not readmitted yet (the demo goes on)");
        }
        return ok;
    }

    private static Map<String, Long> sums(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
