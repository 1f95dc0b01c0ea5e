package dev.replication.demo;

import dev.replication.NodeStatus;
import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.PgNode;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static dev.replication.demo.Waits.await;
import static dev.replication.demo.Waits.ms;

/** Step 3: pause replay on one replica; the monitor excludes it (lag), then readmits it after resume. */
final class LagExclusionStep extends Step {

    LagExclusionStep() {
        super("3. replay paused on a replica: monitor excludes it, then readmits it", true);
    }

    @Override
    boolean run(Scenario s) {
        String victim = s.cluster().replicaNames().get(0);
        PgNode node = s.cluster().embedded().node(victim);
        Recorder rec = s.recorder();
        ReplicationLag lag = s.app().lag();
        node.pauseReplay();
        long paused = System.nanoTime();
        Console.line("    %s: WAL replay paused (pg_wal_replay_pause()); the application keeps placing orders", victim);
        boolean excluded;
        try (Console.Progress p = Console.progress("waiting for the monitor to exclude " + victim)) {
            AtomicLong n = new AtomicLong();
            excluded = await(Duration.ofSeconds(20), () -> {
                s.order(s.accounts().get(0), "tick-" + n.incrementAndGet(), 1);
                return rec.firstEvent(victim, "excluded", paused) != null;
            });
            p.result(excluded ? "excluded after " + ms(rec.firstEvent(victim, "excluded", paused).nanos() - paused)
                    + " ms of paused replay" : "NOT excluded");
        }
        Console.line("    monitor: %s", lag.status().node(victim).map(NodeStatus::describe).orElse("?"));
        Map<String, Integer> during = readBurst(s, 8);
        Console.line("    8 reads while %s is excluded: %s", victim, during);
        boolean ok = check(excluded, victim + " was not excluded within 20 s");
        ok &= check(during.getOrDefault(victim, 0) == 0, victim + " served reads while excluded");
        ok &= check(during.getOrDefault(s.cluster().primaryName(), 0) == 0,
                "reads fell back to the primary though a replica was usable");

        node.resumeReplay();
        long resumed = System.nanoTime();
        Console.line("    %s: WAL replay resumed", victim);
        boolean readmitted;
        try (Console.Progress p = Console.progress("waiting for the monitor to readmit " + victim + " ("
                + System.getProperty("replication.readmit-after") + " good checks in a row)")) {
            readmitted = await(Duration.ofSeconds(20), () -> rec.firstEvent(victim, "readmitted", resumed) != null);
            p.result(readmitted ? "readmitted " + ms(rec.firstEvent(victim, "readmitted", resumed).nanos() - resumed)
                    + " ms after resume" : "NOT readmitted");
        }
        Map<String, Integer> after = readBurst(s, 8);
        Console.line("    8 reads after readmission: %s", after);
        ok &= check(readmitted, victim + " was not readmitted within 20 s");
        ok &= check(after.getOrDefault(victim, 0) > 0, victim + " served no read after readmission");
        return ok;
    }

    /** {@code n} balance reads, each in its own request; reads per node (by the server's own answer). */
    private static Map<String, Integer> readBurst(Scenario s, int n) {
        Map<String, Integer> perNode = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            long acc = s.accounts().get(i % s.accounts().size());
            Served<Long> r = s.inRequest(() -> s.bank().balance(acc));
            perNode.merge(r.node() + (s.isReplica(r) ? "" : s.isPrimary(r) ? "(primary)" : "(?)"), 1, Integer::sum);
        }
        return perNode;
    }
}
