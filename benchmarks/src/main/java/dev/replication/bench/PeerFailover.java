package dev.replication.bench;

import dev.replication.testkit.PatroniMember;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Row 5 of the peers benchmark (8), Patroni only: the leader's Patroni and PostgreSQL SIGKILLed,
 * then (once the old leader rejoined) a switchover through Patroni's API, each under the same load
 * through HAProxy and through the library ({@code replication.topology=patroni}) at once: one
 * writer (a write every 10 ms) and 2 readers per peer. Kill → first write on the new leader,
 * failed writes and reads.
 */
final class PeerFailover {

    private final PeerCluster.OnPatroni c;
    private final Report report;
    private final Map<String, Object> json;

    PeerFailover(PeerCluster.OnPatroni c, Report report, Map<String, Object> json) {
        this.c = c;
        this.report = report;
        this.json = json;
    }

    void run() throws Exception {
        Map<String, Object> s = new LinkedHashMap<>();
        json.put("5_leader_change", s);
        s.put("load", "per peer: 1 writer (UPDATE of its own row, then the port it wrote on; 10 ms pause), 2 readers"
                + " (random row, continuous); pools of 4 with pgjdbc socketTimeout 5 s (HAProxy: one to each port)");
        s.put("haproxyServerDefaults", Haproxy.SERVER_DEFAULTS);
        PatroniMember old = c.patroni.leader();
        progress("  row 5 [Patroni]: leader " + old.name() + " SIGKILLed (Patroni + postgres)");
        s.put("failover", phase("failover", () -> old.killPatroni(), old.pgPort()));
        progress("    restarting " + old.name() + " (rejoins as a replica)");
        long restarted = System.nanoTime();
        old.start();
        c.awaitHealed(Duration.ofSeconds(120));
        s.put("oldLeaderRejoinedMillis", Stats.ms(System.nanoTime() - restarted));
        PatroniMember leader = c.patroni.leader();
        PatroniMember candidate = c.patroni.members().stream().filter(m -> m != leader).findFirst().orElseThrow();
        progress("  row 5 [Patroni]: switchover " + leader.name() + " -> " + candidate.name());
        s.put("switchover", phase("switchover", () -> c.patroni.switchover(candidate), leader.pgPort()));
        c.awaitHealed(Duration.ofSeconds(120));
    }

    /** Runs the load, applies the fault, waits until every peer wrote off {@code oldPort} (60 s at most), 3 s more. */
    private Map<String, Object> phase(String name, Runnable fault, int oldPort) throws Exception {
        Resources res = new Resources();
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            BaselinePools pools = new BaselinePools(c.ctx, res);
            List<Peer> peers = new ArrayList<>();
            peers.add(c.libraryPeer());
            if (c.haproxy != null) {
                peers.add(c.haproxyPeer(pools, 4, 4, Map.of("socketTimeout", 5)));
            }
            long fault0;
            long faultDone;
            long end;
            try (PeerLoad load = new PeerLoad(peers, 2, 1, 10)) {
                Harness.sleep(2000);
                fault0 = System.nanoTime();
                fault.run();
                faultDone = System.nanoTime();
                long deadline = fault0 + 60_000_000_000L;
                while (System.nanoTime() < deadline && !peers.stream().allMatch(p -> load.events(p.key()).stream()
                        .anyMatch(e -> e.write() && e.ok() && e.start() >= fault0 && e.port() != oldPort))) {
                    Harness.sleep(200);
                }
                Harness.sleep(3000);
                end = System.nanoTime();
                load.close();
                List<String> vals = new ArrayList<>();
                for (Peer p : peers) {
                    List<PeerLoad.Event> ev = load.events(p.key());
                    Map<String, Object> w = PeerLoad.outage(ev, true, fault0, fault0, port -> port != oldPort,
                            PeerRows.NO_ANSWER_NANOS);
                    Map<String, Object> r = PeerLoad.outage(ev, false, fault0, fault0, port -> true, PeerRows.NO_ANSWER_NANOS);
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("writes", w);
                    v.put("reads", r);
                    v.put("writesOnOldLeaderAfterFault", ev.stream().filter(e -> e.write() && e.ok() && e.start() >= faultDone
                            && e.port() == oldPort).count());
                    out.put(p.key(), v);
                    Object first = w.get("firstOnTargetAfterFaultMillis");
                    vals.add(p.key() + ": first write " + (first == null ? "none within 60 s" : fmt((Double) first / 1000, 1)
                            + " s") + ", " + w.get("failed") + " failed writes, " + r.get("failed") + " failed of "
                            + r.get("requests") + " reads" + (((Number) r.get("noAnswerRequests")).longValue() > 0 ? " (" + r.get("noAnswerRequests")
                            + " without answer ≥ 2 s)" : "") + ", longest read gap " + fmt((Double) r.get("longestGapMillis") / 1000, 1)
                            + " s");
                }
                out.put("faultCallMillis", Stats.ms(faultDone - fault0));
                out.put("observedMillis", Stats.ms(end - fault0));
                out.put("newLeader", c.patroni.leader().name());
                boolean kill = name.equals("failover");
                report.row(PeerRows.BENCH, kill ? "5 leader SIGKILL (Patroni + postgres): kill → first write on the new"
                        + " leader, failures [Patroni]" : "5 switchover through Patroni's API: request → first write on the"
                        + " candidate, failures [Patroni]", String.join("; ", vals),
                        (kill ? "Patroni ttl 10 s, loop_wait 2 s" : "the switchover call returned after "
                                + fmt(Stats.ms(faultDone - fault0) / 1000, 1) + " s") + "; HAProxy " + Haproxy.SERVER_DEFAULTS
                                + "; library topology=patroni, defaults" + (c.haproxy == null ? "; haproxy: "
                                + c.missing().get("haproxy") : ""));
            }
        } finally {
            res.closeAll();
        }
        return out;
    }
}
