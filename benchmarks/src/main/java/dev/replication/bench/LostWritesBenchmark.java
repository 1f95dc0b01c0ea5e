package dev.replication.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.replication.bench.BenchContext.progress;

/**
 * Benchmark 7: the possibly lost WAL a promotion reports vs the acknowledged rows actually missing on the
 * promoted node, standbys streaming and standbys cut off from WAL before the primary's SIGKILL
 * ({@link LostWritesProbe}).
 */
final class LostWritesBenchmark implements Benchmark {

    @Override
    public void run(BenchContext ctx) throws Exception {
        Map<String, Object> s = ctx.report().section("7_lost_writes");
        s.put("description", "one writer thread (Replication.write, one INSERT, 5 ms pause), promote mode,"
                + " max-lag-bytes 64 MB, asynchronous replication; primary SIGKILLed; Promotion.possiblyLostBytes vs"
                + " acknowledged ids missing on the promoted node");
        for (LostWritesProbe.Mode mode : LostWritesProbe.Mode.values()) {
            progress("7 lost writes: primary SIGKILL, standbys " + mode);
            LostWritesProbe.Result r = LostWritesProbe.run(ctx.cluster(), mode);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("promoted", r.promotion().newPrimary());
            m.put("lastSeenPrimaryLsn", r.promotion().lastSeenPrimaryLsn());
            m.put("promotedFromLsn", r.promotion().promotedFromLsn());
            m.put("reportedBytes", r.reportedBytes());
            m.put("acknowledged", r.acked());
            m.put("acknowledgedAfterStandbysStoppedReceiving", r.ackedUnreceived());
            m.put("missing", r.missing());
            m.put("agrees", r.agrees());
            s.put(mode.name().toLowerCase(), m);
            ctx.report().row("7 lost writes", mode == LostWritesProbe.Mode.STREAMING
                            ? "primary SIGKILL, standbys streaming: reported possibly lost bytes / acknowledged rows missing"
                            : "primary SIGKILL, standbys cut off from WAL 50+ commits earlier: reported bytes / rows missing",
                    r.reportedBytes() + " B / " + r.missing() + " rows",
                    (r.agrees() ? "agree" : "DISAGREE") + "; " + r.acked() + " acknowledged; promoted "
                            + r.promotion().newPrimary() + " from " + r.promotion().promotedFromLsn() + ", last seen "
                            + r.promotion().lastSeenPrimaryLsn());
        }
    }
}
