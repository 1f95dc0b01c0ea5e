package dev.replication.demo;

import java.util.Map;
import java.util.TreeMap;

import static dev.replication.demo.Scenario.OWNERS;

/** Step 2: balance reads in separate requests, each on a replica, spread by round-robin. */
final class ReadsStep extends Step {

    ReadsStep() {
        super("2. reads spread over the replicas", false);
    }

    @Override
    boolean run(Scenario s) {
        try (Console.Progress p = Console.progress("waiting until the replicas replayed the writes")) {
            s.awaitCaughtUp();
        }
        Map<String, Integer> perNode = new TreeMap<>();
        boolean ok = true;
        for (int i = 0; i < 8; i++) {
            long acc = s.accounts().get(i % s.accounts().size());
            Served<Long> r = s.inRequest(() -> s.bank().balance(acc));
            perNode.merge(r.node(), 1, Integer::sum);
            Long expected = s.expectedBalance(acc);
            boolean right = r.value().equals(expected);
            Console.line("    @ReadReplica balance(%-5s) = %5.2f  on %s [%s]%s", OWNERS[i % OWNERS.length], r.value() / 100.0,
                    r.where(), r.reason(), right ? "" : "  WRONG, expected " + expected);
            ok &= check(s.isReplica(r), "read ran on " + r.where() + ", expected a replica");
            ok &= check(right, "balance of account " + acc);
        }
        Console.line("    reads per node: %s", perNode);
        for (String replica : s.cluster().replicaNames()) {
            ok &= check(perNode.getOrDefault(replica, 0) > 0, "replica " + replica + " served no read");
        }
        return ok;
    }
}
