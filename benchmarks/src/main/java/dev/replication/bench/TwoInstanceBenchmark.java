package dev.replication.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Benchmark 6: two application instances (separate JVMs, {@code replication.failover=promote}) writing
 * while the primary is SIGKILLed {@code bench.kills} times (default 3): primaries after each kill,
 * split-brain writes, kill → first write of each instance. The cluster is healed after each kill.
 */
final class TwoInstanceBenchmark implements Benchmark {

    @Override
    public void run(BenchContext ctx) throws Exception {
        int kills = Integer.getInteger("bench.kills", 3);
        progress("6 two instances: " + kills + " primary SIGKILLs, two JVMs in promote mode");
        TwoInstanceFailover.Result r = new TwoInstanceFailover(ctx.cluster(), Path.of("target", "two-instance")).run(kills);
        List<Long> fw = r.firstWriteMillis();
        boolean onePrimary = r.kills().stream().allMatch(k -> k.outOfRecovery() == 1 && k.outOfRecoveryAfterHeal() == 1);
        Map<String, Object> s = ctx.report().section("6_two_instances");
        s.put("description", "two JVMs (TwoInstanceApp), each Replication.write of one row every 15 ms with the server's port"
                + " and timeline recorded in the transaction; primary SIGKILLed " + kills + " times; after each kill the"
                + " promoted node adopted, the killed and the stranded node re-attached, both instances seeing every node"
                + " usable before the next kill");
        s.put("kills", r.kills().stream().map(TwoInstanceBenchmark::json).toList());
        s.put("firstWriteMillisSorted", fw);
        s.put("acknowledgedWrites", r.acks());
        s.put("failedWrites", r.failedWrites());
        s.put("rowsStored", r.rowsStored());
        s.put("acknowledgedRowsMissing", r.ackedMissing());
        s.put("violations", r.violations());
        ctx.report().row("6 two instances", kills + " primary SIGKILLs, 2 JVMs in promote mode: primaries after each kill; "
                        + "split-brain writes; kill → first write (both instances)",
                (onePrimary ? "exactly 1 each time" : "NOT 1 each time") + "; " + r.violations().size() + "; median "
                        + fmt(median(fw) / 1000.0, 2) + " s (max " + fmt(fw.get(fw.size() - 1) / 1000.0, 2) + " s)",
                r.acks() + " acknowledged writes, " + r.ackedMissing() + " of them missing afterwards (asynchronous"
                        + " replication); per kill: " + r.kills().stream().map(k -> k.promotedBy().size()).toList()
                        + " instances ran pg_promote() themselves" + (r.violations().isEmpty() ? " (on the same standby)"
                        : "; violations: " + r.violations()));
    }

    private static Map<String, Object> json(TwoInstanceFailover.Kill k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("killed", k.killed());
        m.put("promoted", k.promoted());
        m.put("primariesAfterKill", k.outOfRecovery());
        m.put("primariesAfterHeal", k.outOfRecoveryAfterHeal());
        m.put("firstWriteMillis", k.firstWriteMillis());
        m.put("promotedBy", k.promotedBy());
        m.put("reattachMillis", k.reattachMillis());
        m.put("readmitMillis", k.readmitMillis());
        return m;
    }

    static double median(List<Long> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
