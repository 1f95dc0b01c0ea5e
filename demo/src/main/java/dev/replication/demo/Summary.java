package dev.replication.demo;

import dev.replication.NodeRole;
import dev.replication.NodeStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end of the demo: every step's verdict, the numbers the fault steps measured, and the
 * summary table (routing per node from the {@link Recorder}, the monitor's view of each node).
 * Used from the demo's main thread only.
 */
final class Summary {

    private final List<Step.Result> results = new ArrayList<>();
    private long failedReadsUnderKill = -1;
    private long readsUnderKill;
    private long failoverMillis = -1;
    private String promoted;

    void add(Step.Result result) {
        results.add(result);
    }

    /** Step 5's outcome: reads that failed and reads that succeeded while a replica was killed. */
    void replicaKilled(long failedReads, long reads) {
        failedReadsUnderKill = failedReads;
        readsUnderKill = reads;
    }

    /** Step 6's outcome: primary SIGKILL to first successful write, and the node it landed on. */
    void failedOver(long millis, String promotedNode) {
        failoverMillis = millis;
        promoted = promotedNode;
    }

    /** True when no step failed (skipped steps do not count against it). */
    boolean allPassed() {
        return results.stream().noneMatch(r -> r.verdict() == Step.Verdict.FAIL);
    }

    void print(DemoApp app) {
        Recorder rec = app.recorder();
        Console.line("");
        Console.line("== Summary");
        Console.line("    | node   | role now                 | reads routed | writes routed |");
        Console.line("    |--------|--------------------------|--------------|---------------|");
        for (NodeStatus s : app.lag().status().nodes()) {
            String role = (s.configuredRole() == NodeRole.PRIMARY ? "primary" : s.configuredRole().toString().toLowerCase(Locale.ROOT))
                    + (s.up() ? ", up" : ", down");
            Console.line("    | %-6s | %-24s | %12d | %13d |", s.name(), role, rec.reads(s.name()), rec.writes(s.name()));
        }
        long tw = rec.tokenWaits.sum();
        Console.line("    | reads that fell back to the primary (no qualifying replica) | %d |", rec.fallbacks.sum());
        Console.line("    | token waits (satisfied / total, longest)                     | %d / %d, %d ms |",
                rec.tokenWaitsSatisfied.sum(), tw, rec.maxTokenWaitMicros.get() / 1000);
        Console.line("    | reads retried on another node after a connection failure    | %d |", rec.retries.sum());
        Console.line("    | failed reads while a replica was killed                      | %s |",
                failedReadsUnderKill < 0 ? "-" : failedReadsUnderKill + " of " + (readsUnderKill + failedReadsUnderKill));
        Console.line("    | failover: primary SIGKILL -> first successful write          | %s |",
                failoverMillis < 0 ? "-" : failoverMillis + " ms (promoted " + promoted + ")");
        Console.line("");
        for (Step.Result r : results) {
            Console.line("    %-7s %s", r.verdict(), r.name());
        }
    }
}
