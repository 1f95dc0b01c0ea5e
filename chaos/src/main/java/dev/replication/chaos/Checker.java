package dev.replication.chaos;

import dev.replication.ConsistencyToken;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the guarantees over a whole {@link History} and the final database state, from what the
 * run itself observed (values read, {@code inet_server_port()} of each transaction, the testkit's
 * view of the cluster), not from the library's bookkeeping. The only library input is what it
 * reported through its listener: the promotions and the WAL window each may have lost.
 */
final class Checker {

    static final String STALE_TOKEN_READS = "1-stale-reads-with-token";
    static final String VALUES_NEVER_WRITTEN = "1-values-never-written";
    static final String LOST_WRITES = "2-acknowledged-writes-lost-outside-reported-windows";
    static final String WRITES_OFF_PRIMARY = "3-writes-accepted-by-a-fenced-or-non-primary-node";
    static final String SLOW_CALLS = "4-calls-over-bound";
    static final String STUCK_THREADS = "4-stuck-threads";
    static final String STANDBYS_NOT_SERVING = "5-standbys-not-serving-after-faults";
    static final String NO_FAILOVER = "failover-not-completed-within-bound";
    static final String NEMESIS_ERRORS = "nemesis-errors";
    private static final int SAMPLES = 10;

    /**
     * The checker's findings.
     *
     * @param violations invariant name to count of violations (every invariant present, 0 when it held)
     * @param samples    invariant name to the first violations, described
     * @param facts      counts that are not violations (writes lost inside reported windows, slowest call, ...)
     */
    record Verdict(Map<String, Integer> violations, Map<String, List<String>> samples, Map<String, Object> facts) {

        int total() {
            return violations.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final History h;
    private final Bounds bounds;
    private final long seed;
    private final boolean synchronous;
    private final Map<String, Integer> violations = new LinkedHashMap<>();
    private final Map<String, List<String>> samples = new LinkedHashMap<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();

    /**
     * @param synchronous the cluster committed synchronously to a standby: then a reported window
     *                    excuses no lost write
     */
    Checker(History h, Bounds bounds, long seed, boolean synchronous) {
        this.h = h;
        this.bounds = bounds;
        this.seed = seed;
        this.synchronous = synchronous;
        for (String name : List.of(STALE_TOKEN_READS, VALUES_NEVER_WRITTEN, LOST_WRITES, WRITES_OFF_PRIMARY, SLOW_CALLS,
                STUCK_THREADS, STANDBYS_NOT_SERVING, NO_FAILOVER, NEMESIS_ERRORS)) {
            violations.put(name, 0);
        }
    }

    Verdict check() {
        List<Op> ops = h.ops();
        Map<Long, Op> writes = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.kind() == Op.Kind.WRITE) {
                writes.put(op.rowId(), op);
            }
        }
        Map<Long, Long> rows = h.finalRows;
        reads(ops, writes, rows);
        lostWrites(writes, rows);
        writesOnPrimary(writes);
        latency(ops);
        standbys(ops);
        faults();
        return new Verdict(violations, samples, facts);
    }

    /** (1) A read holding a write's token (or reading strong after it) sees that write; no read sees a value never written. */
    private void reads(List<Op> ops, Map<Long, Op> writes, Map<Long, Long> rows) {
        int checked = 0;
        int excludedLost = 0;
        for (Op op : ops) {
            if (!op.ok() || !op.isRead()) {
                continue;
            }
            Long attempted = h.attempted.get(op.rowId());
            if (op.value() != null && (attempted == null || !attempted.equals(op.value()))) {
                violation(VALUES_NEVER_WRITTEN, op + ": read value " + op.value() + " of row " + op.rowId()
                        + ", but the value written there was " + attempted);
            }
            if (op.kind() != Op.Kind.READ_TOKEN && op.kind() != Op.Kind.READ_OWN && op.kind() != Op.Kind.READ_STRONG) {
                continue;
            }
            Op w = writes.get(op.rowId());
            if (!rows.containsKey(op.rowId())) {
                excludedLost++; // the write itself did not survive a promotion: counted under (2)
                continue;
            }
            checked++;
            boolean rowOk = op.value() != null && op.value().equals(w.value());
            boolean regOk = op.seqRead() >= op.seq();
            if (!rowOk || !regOk) {
                violation(STALE_TOKEN_READS, op.kind() + " on " + op.node() + " at " + fmt(op.start()) + "-" + fmt(op.end())
                        + " s (thread " + op.thread() + ", token " + op.token() + "): row " + op.rowId() + " read "
                        + (op.value() == null ? "absent" : op.value()) + ", register of writer " + op.writer() + " read "
                        + op.seqRead() + "; the write (ended " + fmt(w.end()) + " s on " + w.node() + ", token "
                        + w.token() + ") wrote " + w.value() + " with seq " + w.seq() + "; seed " + seed);
            }
        }
        facts.put("readsWithTokenChecked", checked);
        facts.put("readsWithTokenOfLostWrites", excludedLost);
    }

    /** (2) Every acknowledged write is on the final primary, unless inside a window reported at a promotion. */
    private void lostWrites(Map<Long, Op> writes, Map<Long, Long> rows) {
        int acked = 0;
        int inWindow = 0;
        int failedButPresent = 0;
        for (Op w : writes.values()) {
            if (!w.ok()) {
                if (rows.containsKey(w.rowId())) {
                    failedButPresent++;
                }
                continue;
            }
            acked++;
            if (rows.containsKey(w.rowId())) {
                continue;
            }
            long lsn = w.token() == null ? -1 : ConsistencyToken.parse(w.token()).lsn();
            boolean reported = !synchronous && lsn >= 0 && h.promotions().stream()
                    .anyMatch(p -> p.oldPrimary().equals(w.node()) && p.possiblyLost(lsn));
            if (reported) {
                inWindow++;
            } else {
                violation(LOST_WRITES, "write of row " + w.rowId() + " (value " + w.value() + ") acknowledged by "
                        + w.node() + " at " + fmt(w.end()) + " s with token " + w.token()
                        + " is not on the final primary " + h.finalPrimary + "; reported windows: "
                        + h.promotions().stream().map(p -> p.oldPrimary() + "->" + p.newPrimary() + " ("
                                + lsn(p.windowFrom()) + ", " + lsn(p.windowTo()) + "]").toList() + "; seed " + seed);
            }
        }
        facts.put("acknowledgedWrites", acked);
        facts.put("acknowledgedWritesLostInsideReportedWindows", inWindow);
        facts.put("failedWritesPresentOnFinalPrimary", failedButPresent);
    }

    /** (3) Each acknowledged write ran on the node that was the primary during the call (never a fenced one). */
    private void writesOnPrimary(Map<Long, Op> writes) {
        List<Promotion> promotions = new ArrayList<>(h.promotions());
        promotions.sort((a, b) -> Long.compare(a.at(), b.at()));
        for (Op w : writes.values()) {
            if (!w.ok()) {
                continue;
            }
            Set<String> allowed = new LinkedHashSet<>();
            String current = h.initialPrimary;
            for (Promotion p : promotions) {
                if (p.at() <= w.start()) {
                    current = p.newPrimary();
                } else if (p.at() <= w.end()) {
                    allowed.add(current);
                    current = p.newPrimary();
                }
            }
            allowed.add(current);
            if (!allowed.contains(w.node())) {
                violation(WRITES_OFF_PRIMARY, "write of row " + w.rowId() + " at " + fmt(w.start()) + "-" + fmt(w.end())
                        + " s was accepted by " + w.node() + " while the primary was " + allowed + "; seed " + seed);
            }
        }
    }

    /** (4) No call over the bound; every worker stopped. */
    private void latency(List<Op> ops) {
        long bound = bounds.callBound().toNanos();
        Op slowest = null;
        for (Op op : ops) {
            if (slowest == null || op.end() - op.start() > slowest.end() - slowest.start()) {
                slowest = op;
            }
            if (op.end() - op.start() > bound) {
                violation(SLOW_CALLS, op.kind() + " by " + op.thread() + " took " + op.micros() / 1000 + " ms (bound "
                        + bounds.callBound().toMillis() + " ms) at " + fmt(op.start()) + " s on " + op.node() + ", "
                        + (op.ok() ? "ok" : op.error()) + "; seed " + seed);
            }
        }
        if (slowest != null) {
            facts.put("slowestCall", slowest.kind() + " by " + slowest.thread() + ": " + slowest.micros() / 1000 + " ms at "
                    + fmt(slowest.start()) + " s (" + h.phase(slowest.start()) + "), " + (slowest.ok() ? "ok" : slowest.error()));
            facts.put("slowestCallMillis", slowest.micros() / 1000.0);
        }
        facts.put("callBoundMillis", bounds.callBound().toMillis());
        Set<String> stuck = new HashSet<>();
        for (String s : h.stuckThreads) {
            stuck.add(s.lines().findFirst().orElse(s));
            violation(STUCK_THREADS, "thread still running " + bounds.callBound().toMillis() + " ms after stop: " + s);
        }
        h.unfinished().forEach((id, thread) -> {
            if (stuck.add(thread)) {
                violation(STUCK_THREADS, "operation " + id + " of " + thread + " never ended");
            }
        });
    }

    /** (5) After the faults, each standby the testkit has running serves a read within the bound. */
    private void standbys(List<Op> ops) {
        Map<String, Object> firstRead = new LinkedHashMap<>();
        for (String standby : h.standbysAtQuiet) {
            Op first = ops.stream().filter(o -> o.ok() && o.isRead() && o.kind() != Op.Kind.READ_STRONG
                            && standby.equals(o.node()) && o.start() >= h.quietFrom)
                    .min((a, b) -> Long.compare(a.end(), b.end())).orElse(null);
            long after = first == null ? -1 : (first.end() - h.quietFrom) / 1_000_000;
            firstRead.put(standby, first == null ? "never" : after + " ms");
            if (first == null || after > bounds.standbyBound().toMillis()) {
                violation(STANDBYS_NOT_SERVING, standby + " served its first read " + (first == null ? "never"
                        : after + " ms") + " after the faults stopped (bound " + bounds.standbyBound().toMillis()
                        + " ms); the library's read decisions after the faults stopped (node, session tenant): "
                        + routed() + ", reads that ran per node (inet_server_port): " + served(ops) + "; seed " + seed);
            }
        }
        facts.put("firstReadAfterFaultsPerStandby", firstRead);
        facts.put("libraryReadDecisionsAfterFaults", routed());
        facts.put("readsServedAfterFaultsPerNode", served(ops));
    }

    private Map<String, Long> served(List<Op> ops) {
        Map<String, Long> m = new TreeMap<>();
        ops.stream().filter(o -> o.ok() && o.isRead() && o.kind() != Op.Kind.READ_STRONG && o.start() >= h.quietFrom)
                .forEach(o -> m.merge(o.node(), 1L, Long::sum));
        return m;
    }

    private Map<String, Long> routed() {
        Map<String, Long> m = new TreeMap<>();
        h.routedReadsAfterFaults.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    private void faults() {
        for (Fault f : h.faults()) {
            if (f.detail().contains("NO PROMOTION")) {
                violation(NO_FAILOVER, f.kind() + " of " + f.node() + " at " + fmt(f.start()) + " s: " + f.detail()
                        + "; seed " + seed);
            }
            if (f.detail().contains("NEMESIS ERROR")) {
                violation(NEMESIS_ERRORS, f.kind() + " of " + f.node() + " at " + fmt(f.start()) + " s: " + f.detail());
            }
        }
    }

    private void violation(String name, String description) {
        violations.merge(name, 1, Integer::sum);
        List<String> l = samples.computeIfAbsent(name, k -> new ArrayList<>());
        if (l.size() < SAMPLES) {
            l.add(description);
        }
    }

    private String fmt(long nanos) {
        return String.format("%.3f", h.sec(nanos));
    }

    private static String lsn(long lsn) {
        return lsn < 0 ? "?" : new ConsistencyToken(lsn).toString();
    }
}
