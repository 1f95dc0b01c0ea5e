package dev.replication.demo;

import dev.replication.NodeStatus;
import dev.replication.cdi.ReplicationLag;
import dev.replication.testkit.PgNode;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import static dev.replication.demo.Waits.await;
import static dev.replication.demo.Waits.ms;
import static dev.replication.demo.Waits.sleep;

/** Step 6: SIGKILL the primary in promote mode; measure kill -> first successful write. */
final class PrimaryKillStep extends Step {

    PrimaryKillStep() {
        super("6. the primary killed: a standby is promoted, writes resume", true);
    }

    @Override
    boolean run(Scenario s) {
        PgNode old = s.cluster().embedded().primary();
        Recorder rec = s.recorder();
        ReplicationLag lag = s.app().lag();
        long acc = s.accounts().get(2);
        for (int i = 0; i < 5; i++) {
            s.order(acc, "before-failover", 1);
        }
        try (Console.Progress p = Console.progress("letting the standbys catch up before the kill")) {
            s.awaitCaughtUp();
        }
        long kill = System.nanoTime();
        old.kill();
        Console.line("    %s (primary) SIGKILLed; the application keeps trying to place orders", old.name());
        long attempts = 0;
        long firstOk = -1;
        Served<Long> landed = null;
        Set<String> errors = new LinkedHashSet<>();
        try (Console.Progress p = Console.progress("writes failing until a standby is promoted")) {
            long deadline = kill + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                attempts++;
                try {
                    landed = s.order(acc, "after-failover", 1);
                    firstOk = System.nanoTime();
                    break;
                } catch (RuntimeException e) {
                    if (errors.size() < 4) {
                        errors.add(firstLine(e));
                    }
                    sleep(50);
                }
            }
            p.result(firstOk > 0 ? "a write succeeded " + ms(firstOk - kill) + " ms after the kill" : "no write within 30 s");
        }
        errors.forEach(e -> Console.line("    failed attempt: %s", e));
        boolean ok = check(firstOk > 0, "no write succeeded within 30 s of the kill");
        String promoted = null;
        if (landed != null) {
            promoted = landed.node();
            s.summary().failedOver(ms(firstOk - kill), promoted);
            Console.line("    %d attempts; first successful write: order %d on %s", attempts, landed.value(), landed.where());
            ok &= check(!landed.node().equals(old.name()) && !landed.inRecovery(), "the write did not land on a promoted node");
        }
        String[] change = rec.primaryChanges.isEmpty() ? null : rec.primaryChanges.get(0);
        ok &= check(change != null && "true".equals(change[2]), "no primaryChanged(promotedByUs) event");
        if (change != null) {
            Console.line("    RoutingListener.primaryChanged(%s -> %s) %d ms after the kill", change[0], change[1],
                    ms(rec.primaryChangedNanos - kill));
        }
        for (int i = 0; i < 3 && ok; i++) {
            Served<Long> w = s.order(acc, "after-failover", 1);
            ok &= check(s.isPrimary(w), "write after failover not on the new primary");
        }
        if (promoted != null) {
            String np = promoted;
            await(Duration.ofSeconds(5), () -> lag.status().node(np).map(NodeStatus::up).orElse(false));
        }
        Served<Long> read = s.inRequest(() -> s.bank().orderCount());
        Console.line("    a read after failover: %d orders, on %s [%s]", read.value(), read.where(), read.reason());
        Console.line("    cluster now: %s", lag.status().describe().trim().replace("\n", "\n                 "));
        return ok;
    }

    private static String firstLine(Throwable e) {
        String s = e.getClass().getSimpleName() + ": " + e.getMessage();
        int nl = s.indexOf('\n');
        s = nl < 0 ? s : s.substring(0, nl);
        return s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }
}
