package dev.replication.demo;

import dev.replication.RoutingReason;
import dev.replication.testkit.PgCluster;

import java.time.Duration;
import java.util.List;

import static dev.replication.demo.Scenario.ITEMS;

/** Step 4: write then read in one request with replicas applying WAL late; the read sees the write. */
final class ReadYourWritesStep extends Step {

    private static final Duration APPLY_DELAY = Duration.ofMillis(400);

    /** One request's write, its token, the read after it and how long that read waited for the token (or null). */
    private record Request(Served<Long> write, String token, Served<List<Long>> read, Duration waited) {
    }

    ReadYourWritesStep() {
        super("4. a write then a read in the same request sees its own write", false);
    }

    @Override
    boolean run(Scenario s) {
        PgCluster cluster = s.cluster().injectsFaults() ? s.cluster().embedded() : null;
        if (cluster != null) {
            try (Console.Progress p = Console.progress("setting recovery_min_apply_delay = " + APPLY_DELAY.toMillis()
                    + "ms on every replica")) {
                cluster.replicas().forEach(r -> r.setApplyDelay(APPLY_DELAY));
            }
        } else {
            Console.line("    (existing cluster: no apply delay injected; the check still runs)");
        }
        try {
            return requests(s);
        } finally {
            if (cluster != null) {
                try (Console.Progress p = Console.progress("removing the apply delay and letting replicas catch up")) {
                    cluster.replicas().forEach(r -> r.setApplyDelay(Duration.ZERO));
                    s.awaitCaughtUp();
                }
            }
        }
    }

    private static boolean requests(Scenario s) {
        Bank bank = s.bank();
        Recorder rec = s.recorder();
        long acc = s.accounts().get(1);
        // control: a different request has no token, so a replica may serve it the old state
        long other = s.order(acc, "control", 5).value();
        Served<List<Long>> control = s.inRequest(() -> bank.orderIds(acc));
        Console.line("    control: order %d written in request A; request B (no token) reads on %s: %s", other,
                control.where(), control.value().contains(other) ? "sees it too (no token wait recorded)"
                        : "does NOT see it yet (stale, as expected without the token)");
        boolean ok = true;
        for (int i = 0; i < 4; i++) {
            String item = ITEMS[i];
            Request r = s.inRequest(() -> {
                Served<Long> w = bank.placeOrder(acc, item, 10);
                String token = s.app().requestToken().orElse("none");
                rec.lastTokenWait.remove();
                Served<List<Long>> read = bank.orderIds(acc);
                return new Request(w, token, read, rec.lastTokenWait.get());
            });
            s.charged(acc, 10);
            Served<Long> w = r.write();
            Served<List<Long>> read = r.read();
            Duration waited = r.waited();
            boolean sees = read.value().contains(w.value());
            String how = read.reason() == RoutingReason.TOKEN_WAITED || s.isReplica(read)
                    ? "a replica that had replayed the token" + (waited != null ? " (waited " + waited.toMillis() + " ms)" : "")
                    : "the primary (" + read.reason() + (waited != null ? " after " + waited.toMillis() + " ms" : "") + ")";
            Console.line("    request %d: order %d written on %s, token %s; read on %s [%s]: %s", i + 1, w.value(),
                    w.node(), r.token(), read.where(), how, sees ? "sees its own write" : "DOES NOT see its own write");
            ok &= check(s.isPrimary(w), "write not on the primary");
            ok &= check(sees, "request " + (i + 1) + " did not see its own write");
            ok &= check(!"none".equals(r.token()), "the write produced no token");
        }
        return ok;
    }
}
