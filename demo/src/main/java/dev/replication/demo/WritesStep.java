package dev.replication.demo;

import java.util.ArrayList;
import java.util.List;

import static dev.replication.demo.Scenario.ITEMS;
import static dev.replication.demo.Scenario.OWNERS;

/** Step 1: accounts opened and orders placed through {@code @Primary} methods; every write on the primary. */
final class WritesStep extends Step {

    WritesStep() {
        super("1. writes go to the primary", false);
    }

    @Override
    boolean run(Scenario s) {
        boolean ok = true;
        List<Served<Long>> served = new ArrayList<>();
        for (String owner : OWNERS) {
            Served<Long> w = s.inRequest(() -> s.bank().openAccount(owner, 100_00));
            s.opened(w.value(), 100_00L);
            Console.line("    @Primary openAccount(%-5s)         -> account %d on %s", owner, w.value(), w.where());
            served.add(w);
        }
        for (int i = 0; i < 4; i++) {
            long acc = s.accounts().get(i);
            Served<Long> w = s.order(acc, ITEMS[i], 250 + i * 100);
            Console.line("    @Primary placeOrder(%-5s, %-6s) -> order %d on %s", OWNERS[i], ITEMS[i], w.value(), w.where());
            served.add(w);
        }
        String primary = s.cluster().primaryName();
        for (Served<Long> w : served) {
            ok &= check(s.isPrimary(w), "write ran on " + w.where() + ", expected the primary " + primary);
        }
        Console.line("    %d writes, all on %s: %s", served.size(), primary, ok ? "yes" : "NO");
        return ok;
    }
}
