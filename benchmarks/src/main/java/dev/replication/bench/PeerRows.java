package dev.replication.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

// Over ~300 lines: benchmark 8's rows 1 to 4, each measured for every peer in one interleaved run.
/**
 * Rows 1 to 4 of the peers benchmark (8) on one {@link PeerCluster}: read cost, read-your-writes
 * under a 50 ms apply delay, spread over nodes from a long-lived pool, replica SIGKILL under load.
 * Every row measures all peers of the cluster in the same run, interleaved (or, for the fault, under
 * the same fault), and puts its numbers into {@code json} and its lines into the report.
 */
final class PeerRows {

    static final String BENCH = "8 peers";
    static final Duration APPLY_DELAY = Duration.ofMillis(50);
    /** A request that took this long counts as "no answer" (the peers' pools time out sockets at 5 s). */
    static final long NO_ANSWER_NANOS = 2_000_000_000L;

    private final PeerCluster c;
    private final Report report;
    private final Map<String, Object> json;

    PeerRows(PeerCluster c, Report report, Map<String, Object> json) {
        this.c = c;
        this.report = report;
        this.json = json;
    }

    private String where() {
        return c.key().equals("static") ? " [static]" : " [Patroni]";
    }

    /** The proxies of this cluster that run, without the tuned pgpool (rows 1 and 3 only read). */
    private List<String> plainProxies() {
        return c.proxyKeys().stream().filter(k -> !k.endsWith("_tuned") && !c.missing().containsKey(k)).toList();
    }

    private List<String> allProxies() {
        return c.proxyKeys().stream().filter(k -> !c.missing().containsKey(k)).toList();
    }

    private String missingNote() {
        return c.missing().isEmpty() ? "" : "; " + (c instanceof PeerCluster.Static ? "pgpool-II: " : "HAProxy: ")
                + c.missing().values().stream().distinct().collect(Collectors.joining("; "));
    }

    // ---------------------------------------------------------------- row 1

    /** Row 1: per-read latency p50/p99 and CPU per read on one thread, throughput at 4 and 16 threads. */
    void readCost(int reps, int perRep, int throughputReps) throws Exception {
        progress("  row 1" + where() + ": read latency (1 thread, " + reps + " x " + perRep + " interleaved) and throughput (4, 16 threads)");
        Resources res = new Resources();
        try {
            BaselinePools pools = new BaselinePools(c.ctx, res);
            List<Peer> peers = c.peers(pools, 16, 2, Map.of(), plainProxies());
            Map<String, Peer> by = new LinkedHashMap<>();
            peers.forEach(p -> by.put(p.key(), p));
            List<String> keys = List.copyOf(by.keySet());
            Map<String, Object> s = new LinkedHashMap<>();
            json.put("1_read_cost", s);
            Map<String, String> firstNode = new LinkedHashMap<>();
            for (Peer p : peers) {
                firstNode.put(p.key(), c.nodeName(p.read(em -> Peer.readRow(em, 1)).port()));
            }
            s.put("sampleReadNode", firstNode);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Map<String, long[]> cpu = new LinkedHashMap<>();
            keys.forEach(k -> cpu.put(k, new long[2]));
            Harness.Op op = k -> {
                long c0 = mx.getCurrentThreadCpuTime();
                by.get(k).read(em -> em.find(Item.class, Work.randomId()));
                long[] a = cpu.get(k);
                a[0] += mx.getCurrentThreadCpuTime() - c0;
                a[1]++;
            };
            Harness.warmUpOps(1000, keys, op);
            // idle CPU of the proxies (health and replication checks), subtracted below
            Map<String, Double> idleRate = new LinkedHashMap<>();
            Map<String, Long> p0 = proxyCpu(peers);
            long i0 = System.nanoTime();
            Harness.sleep(2000);
            Map<String, Long> p1 = proxyCpu(peers);
            long i1 = System.nanoTime();
            p0.forEach((k, v) -> idleRate.put(k, (p1.get(k) - v) / (double) (i1 - i0)));
            keys.forEach(k -> cpu.put(k, new long[2]));
            Map<String, List<Double>> proxyCpuPerRead = new LinkedHashMap<>();
            AtomicLong repStart = new AtomicLong(System.nanoTime());
            Map<String, Long> repCpu = new LinkedHashMap<>(proxyCpu(peers));
            Map<String, List<long[]>> lat = Harness.interleavedLatencies(reps, perRep, keys, op, (i, rep) -> {
                long now = System.nanoTime();
                Map<String, Long> pc = proxyCpu(peers);
                pc.forEach((k, v) -> proxyCpuPerRead.computeIfAbsent(k, x -> new ArrayList<>())
                        .add((v - repCpu.get(k) - idleRate.get(k) * (now - repStart.get())) / perRep));
                repCpu.putAll(pc);
                repStart.set(System.nanoTime());
            });
            Map<String, Object> l = new LinkedHashMap<>();
            s.put("latency", l);
            List<String> lines = new ArrayList<>();
            List<String> ratioNotes = new ArrayList<>();
            List<String> cpuLines = new ArrayList<>();
            for (String k : keys) {
                Comparison cmp = Comparison.of(lat.get(k), lat.get("direct"));
                long[] all = Stats.concat(lat.get(k));
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("p50Micros", Stats.us(Stats.p50(all)));
                v.put("p99Micros", Stats.us(Stats.percentile(all, 99)));
                v.put("p50MicrosPerRep", cmp.p50A().stream().map(Stats::us).toList());
                v.put("p50RatioToDirectPerRep", cmp.ratios());
                v.put("medianP50RatioToDirect", cmp.medianRatio());
                v.put("clientCpuMicrosPerRead", Stats.us(cpu.get(k)[0] / (double) cpu.get(k)[1]));
                List<Double> pcr = proxyCpuPerRead.get(k);
                if (pcr != null) {
                    v.put("proxyCpuMicrosPerReadPerRep", pcr.stream().map(Stats::us).toList());
                    v.put("proxyCpuMicrosPerRead", Stats.us(Stats.median(pcr)));
                    v.put("proxyIdleCpuMillisPerSec", idleRate.get(k) * 1e3);
                }
                l.put(k, v);
                lines.add(k + " " + fmt(Stats.ms(Stats.p50(all)), 3) + " / " + fmt(Stats.ms(Stats.percentile(all, 99)), 2));
                if (!k.equals("direct")) {
                    ratioNotes.add(k + " " + fmt(cmp.medianRatio(), 2) + "× (" + fmt(cmp.minRatio(), 2) + "–"
                            + fmt(cmp.maxRatio(), 2) + ")");
                }
                cpuLines.add(k + " " + fmt(Stats.us(cpu.get(k)[0] / (double) cpu.get(k)[1]), 0)
                        + (pcr != null ? " + proxy " + fmt(Stats.us(Stats.median(pcr)), 0) : ""));
            }
            report.row(BENCH, "1 read latency p50 / p99 ms, 1 thread" + where(), String.join("; ", lines),
                    "em.find, new EntityManager + transaction per read, " + reps + " × " + perRep
                            + " interleaved read by read; p50 vs direct (median of reps, range): " + String.join(", ", ratioNotes)
                            + missingNote());
            report.row(BENCH, "1 CPU per read µs (client thread + proxy processes)" + where(), String.join("; ", cpuLines),
                    "calling thread's CPU time; proxy: CPU of all its processes (/proc) per read, its idle rate subtracted");
            // throughput
            ExecutorService exec = Executors.newCachedThreadPool();
            try {
                Map<String, Object> tp = new LinkedHashMap<>();
                s.put("throughput", tp);
                List<String> tl = new ArrayList<>();
                Map<String, List<String>> perPeer = new LinkedHashMap<>();
                keys.forEach(k -> perPeer.put(k, new ArrayList<>()));
                for (int threads : new int[] {4, 16}) {
                    LongAdder failures = new LongAdder();
                    Harness.warmUp(1, keys, k -> Harness.concurrent(exec, threads, () -> by.get(k).read(
                            em -> em.find(Item.class, Work.randomId())), 700, failures));
                    Map<String, List<Double>> runs = Harness.interleaved(throughputReps, keys, k -> Harness.concurrent(exec,
                            threads, () -> by.get(k).read(em -> em.find(Item.class, Work.randomId())), 1000, failures),
                            (i, rep) -> { });
                    Map<String, Object> t = new LinkedHashMap<>();
                    for (String k : keys) {
                        List<Double> ratios = new ArrayList<>();
                        for (int i = 0; i < throughputReps; i++) {
                            ratios.add(runs.get(k).get(i) / runs.get("direct").get(i));
                        }
                        Map<String, Object> v = new LinkedHashMap<>();
                        v.put("readsPerSecPerRep", runs.get(k));
                        v.put("medianReadsPerSec", Stats.median(runs.get(k)));
                        v.put("ratioToDirectPerRep", ratios);
                        v.put("medianRatioToDirect", Stats.median(ratios));
                        t.put(k, v);
                        perPeer.get(k).add(fmt(Stats.median(runs.get(k)), 0)
                                + (k.equals("direct") ? "" : " (" + fmt(Stats.median(ratios), 2) + "×)"));
                    }
                    t.put("failedReads", failures.sum());
                    tp.put(threads + "_threads", t);
                }
                perPeer.forEach((k, v) -> tl.add(k + " " + String.join(" / ", v)));
                report.row(BENCH, "1 throughput reads/s, 4 / 16 threads" + where(), String.join("; ", tl),
                        "median of " + throughputReps + " interleaved 1 s runs; (×) = median ratio to direct in the same"
                                + " repetition; client pools of 16 (library: 16 per node)");
            } finally {
                exec.shutdownNow();
            }
        } finally {
            res.closeAll();
        }
    }

    private static Map<String, Long> proxyCpu(List<Peer> peers) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Peer p : peers) {
            if (p.proxy() != null) {
                m.put(p.key(), p.proxy().cpuNanos());
            }
        }
        return m;
    }

    // ---------------------------------------------------------------- row 2

    /** Per peer and mode: stale reads, read latencies, reads per node. */
    private static final class Tally {
        final List<Long> latencies = new ArrayList<>();
        final Map<String, Long> readsOn = new TreeMap<>();
        final Map<String, Long> staleOn = new TreeMap<>();
        long stale;
        long errors;
        final List<String> errorSamples = new ArrayList<>();
    }

    /**
     * Row 2: {@code cycles} write → read cycles per peer and mode (the read in the same request, or in
     * a new request on another connection), under a replay delay of 50 ms on every replica; {@code threads}
     * threads per peer, each on its own row, 10 rounds with the peers' order rotated.
     */
    void readYourWrites(int cycles, int threads) throws Exception {
        Resources res = new Resources();
        int rounds = 10;
        int perThread = Math.max(1, cycles / rounds / threads);
        progress("  row 2" + where() + ": read-your-writes, apply delay 50 ms, " + perThread * threads * rounds
                + " cycles per peer and mode, " + threads + " threads");
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            BaselinePools pools = new BaselinePools(c.ctx, res);
            List<String> proxies = new ArrayList<>(allProxies());
            if (proxies.contains("pgpool_tuned")) {
                proxies.add(PeerCluster.Static.READ_POOL);
            }
            List<Peer> peers = c.peers(pools, threads * 2 + 2, 2, Map.of(), proxies);
            List<String> keys = peers.stream().map(Peer::key).toList();
            Map<String, Object> s = new LinkedHashMap<>();
            json.put("2_read_your_writes", s);
            s.put("applyDelayMillis", APPLY_DELAY.toMillis());
            s.put("threadsPerPeer", threads);
            s.put("rounds", rounds);
            long[][] values = new long[peers.size()][threads];
            c.applyDelay(APPLY_DELAY);
            try {
                for (boolean same : new boolean[] {true, false}) {
                    String mode = same ? "same_request" : "new_request";
                    Map<String, Tally> tallies = new LinkedHashMap<>();
                    keys.forEach(k -> tallies.put(k, new Tally()));
                    Harness.Measure<Void> round = k -> {
                        int pi = keys.indexOf(k);
                        Peer peer = peers.get(pi);
                        Tally tally = tallies.get(k);
                        List<Future<?>> fs = new ArrayList<>();
                        for (int t = 0; t < threads; t++) {
                            int ti = t;
                            fs.add(exec.submit(() -> {
                                long id = PeerCluster.PEER_ROWS + pi * 16L + ti;
                                for (int i = 0; i < perThread; i++) {
                                    long v = ++values[pi][ti] + (same ? 0 : 1_000_000_000L);
                                    try {
                                        Peer.Cycle cy = peer.writeThenRead(id, v, same);
                                        String node = c.nodeName(cy.port());
                                        synchronized (tally) {
                                            tally.latencies.add(cy.readNanos());
                                            tally.readsOn.merge(node, 1L, Long::sum);
                                            if (cy.value() != v) {
                                                tally.stale++;
                                                tally.staleOn.merge(node, 1L, Long::sum);
                                            }
                                        }
                                    } catch (RuntimeException e) {
                                        synchronized (tally) {
                                            tally.errors++;
                                            if (tally.errorSamples.size() < 3) {
                                                tally.errorSamples.add(Harness.describe(e));
                                            }
                                        }
                                    }
                                }
                            }));
                        }
                        for (Future<?> f : fs) {
                            f.get();
                        }
                        return null;
                    };
                    Harness.interleaved(rounds, keys, round, (i, rep) -> {
                        if (i == rounds - 1 || i == 0) {
                            progress("    " + mode + " round " + (i + 1) + "/" + rounds + ": stale so far " + keys.stream()
                                    .map(k -> k + "=" + tallies.get(k).stale).toList());
                        }
                    });
                    Map<String, Object> m = new LinkedHashMap<>();
                    s.put(mode, m);
                    List<String> vals = new ArrayList<>();
                    List<String> whereRead = new ArrayList<>();
                    for (String k : keys) {
                        Tally t = tallies.get(k);
                        long[] l = Stats.toArray(t.latencies);
                        Map<String, Object> v = new LinkedHashMap<>();
                        v.put("cycles", l.length + t.errors);
                        v.put("stale", t.stale);
                        v.put("errors", t.errors);
                        v.put("errorSamples", t.errorSamples);
                        v.put("readP50Millis", Stats.ms(Stats.percentile(l, 50)));
                        v.put("readP99Millis", Stats.ms(Stats.percentile(l, 99)));
                        v.put("readsPerNode", t.readsOn);
                        v.put("staleReadsPerNode", t.staleOn);
                        m.put(k, v);
                        vals.add(k + " " + t.stale + " / " + (l.length + t.errors) + " stale"
                                + (t.errors > 0 ? " (" + t.errors + " failed)" : "") + ", p50 "
                                + fmt(Stats.ms(Stats.percentile(l, 50)), 2) + " ms");
                        whereRead.add(k + " " + t.readsOn);
                    }
                    report.row(BENCH, "2 read-your-writes, " + (same ? "same request" : "new request (another connection)")
                                    + where(), String.join("; ", vals),
                            "reads ran on: " + String.join("; ", whereRead) + settingsNote(same) + missingNote());
                }
            } finally {
                c.applyDelay(Duration.ZERO);
            }
        } finally {
            exec.shutdownNow();
            res.closeAll();
        }
    }

    private String settingsNote(boolean same) {
        if (c instanceof PeerCluster.Static) {
            return "; pgpool: defaults (disable_load_balance_on_write = transaction); pgpool tuned: " + PeerCluster.Static.TUNED
                    .entrySet().stream().filter(e -> !e.getKey().startsWith("auto_failback")).map(e -> e.getKey() + " = "
                            + e.getValue()).collect(Collectors.joining(", "))
                    + "; pgpool_tuned_readpool: the same pgpool, reads on a second pool that never writes (only the lag check"
                    + " can keep them off a replica)"
                    + (same ? "; same request = one connection (pgpool), library: one ConsistencyScope"
                    : "; new request: pgpool reads on another connection of the same pool while the writer's is held;"
                    + " library: a new scope resumed from the write's token string");
        }
        return "; HAProxy has no read-your-writes setting: writes on the primary port, reads on the replicas port in both"
                + " modes" + (same ? "" : "; library: a new scope resumed from the write's token string");
    }

    // ---------------------------------------------------------------- row 3

    /**
     * Row 3: reads per node from a new long-lived pool of {@code poolSize} connections (filled before
     * the reads), {@code poolSize} threads, {@code reps} pools per peer (a pool's spread is decided when it connects).
     */
    void spread(int poolSize, int reps, long millis) throws Exception {
        progress("  row 3" + where() + ": spread over nodes, pool of " + poolSize + ", " + reps + " new pools per peer");
        Map<String, Object> s = new LinkedHashMap<>();
        json.put("3_spread", s);
        Map<String, List<Map<String, Long>>> perRep = new LinkedHashMap<>();
        ExecutorService exec = Executors.newCachedThreadPool();
        try {
            for (int r = 0; r < reps; r++) {
                Resources res = new Resources();
                try {
                    BaselinePools pools = new BaselinePools(c.ctx, res);
                    List<Peer> peers = new ArrayList<>(c.peers(pools, poolSize, poolSize, Map.of(), plainProxies()));
                    java.util.Collections.rotate(peers, -r);
                    for (Peer p : peers) {
                        Map<String, Long> counts = new TreeMap<>();
                        LongAdder fails = new LongAdder();
                        Harness.concurrent(exec, poolSize, () -> p.read(em -> Peer.readRow(em, Work.randomId())), 400, fails);
                        Map<Integer, LongAdder> ports = new java.util.concurrent.ConcurrentHashMap<>();
                        Harness.concurrent(exec, poolSize, () -> ports.computeIfAbsent(
                                p.read(em -> Peer.readRow(em, Work.randomId())).port(), x -> new LongAdder()).increment(),
                                millis, fails);
                        ports.forEach((port, n) -> counts.merge(c.nodeName(port), n.sum(), Long::sum));
                        perRep.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(counts);
                    }
                } finally {
                    res.closeAll();
                }
            }
        } finally {
            exec.shutdownNow();
        }
        List<String> vals = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, Long>>> e : perRep.entrySet()) {
            List<String> shares = new ArrayList<>();
            List<Map<String, Double>> pct = new ArrayList<>();
            for (Map<String, Long> counts : e.getValue()) {
                long total = counts.values().stream().mapToLong(Long::longValue).sum();
                Map<String, Double> p = new TreeMap<>();
                counts.forEach((n, v) -> p.put(n, 100.0 * v / total));
                pct.add(p);
                shares.add(p.entrySet().stream().map(x -> x.getKey() + " " + fmt(x.getValue(), 0) + "%")
                        .collect(Collectors.joining(" ")));
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("readsPerNodePerPool", e.getValue());
            v.put("percentPerNodePerPool", pct);
            s.put(e.getKey(), v);
            vals.add(e.getKey() + " " + String.join(" | ", shares));
        }
        report.row(BENCH, "3 reads per node, new pool of " + poolSize + " connections, " + poolSize + " threads" + where(),
                String.join("; ", vals), reps + " new pools per peer (| between them), " + millis
                        + " ms of reads each after 400 ms warm-up; the replicas' ideal is 50 % each"
                        + (c instanceof PeerCluster.Static ? "; pgpool with backend_weight 0 on the primary" : "")
                        + missingNote());
    }

    // ---------------------------------------------------------------- row 4

    /**
     * Row 4: SIGKILL of the replica that direct JDBC reads from, under 4 reading threads per peer
     * (all peers at once, pools of 4 with pgjdbc socketTimeout 5 s); then the node restarts (by the
     * benchmark, or by Patroni) and each peer is watched until it reads on it again.
     */
    void replicaKill(long beforeMillis, long downMillis, long watchMillis) throws Exception {
        progress("  row 4" + where() + ": SIGKILL of " + c.victimName() + " under 4 threads per peer");
        Resources res = new Resources();
        Map<String, Object> s = new LinkedHashMap<>();
        json.put("4_replica_kill", s);
        try {
            BaselinePools pools = new BaselinePools(c.ctx, res);
            List<Peer> peers = c.peers(pools, 4, 4, Map.of("socketTimeout", 5), allProxies());
            Map<String, List<String[]>> proxyStatus = new LinkedHashMap<>();
            AtomicLong t0 = new AtomicLong();
            Thread watcher = null;
            long kill;
            long restart;
            try (PeerLoad load = new PeerLoad(peers, 4, 0, 0)) {
                Harness.sleep(beforeMillis);
                kill = System.nanoTime();
                t0.set(kill);
                watcher = proxyWatcher(t0, proxyStatus);
                c.killVictim();
                if (c.restartsItself()) {
                    long until = kill + (downMillis + watchMillis) * 1_000_000L;
                    long seen = -1;
                    while (System.nanoTime() < until) {
                        if (seen < 0 && c.victimRunning()) {
                            seen = System.nanoTime();
                        }
                        Harness.sleep(100);
                    }
                    restart = seen < 0 ? until : seen;
                } else {
                    Harness.sleep(downMillis);
                    restart = System.nanoTime();
                    c.restartVictim();
                    Harness.sleep(watchMillis);
                }
                long end = System.nanoTime();
                load.close();
                watcher.interrupt();
                watcher.join(5000);
                int victimPort = c.victimPort();
                List<String> fails = new ArrayList<>();
                List<String> back = new ArrayList<>();
                for (Peer p : peers) {
                    List<PeerLoad.Event> ev = load.events(p.key());
                    Map<String, Object> o = PeerLoad.outage(ev, false, kill, restart, port -> port == victimPort, NO_ANSWER_NANOS);
                    long before = ev.stream().filter(e -> e.ok() && e.end() < kill).count();
                    long onVictimBefore = ev.stream().filter(e -> e.ok() && e.end() < kill && e.port() == victimPort).count();
                    o.put("readsBeforeKill", before);
                    o.put("victimShareBeforeKill", before == 0 ? null : (double) onVictimBefore / before);
                    o.put("observedMillisAfterKill", Stats.ms(end - kill));
                    long restartAt = restart;
                    Map<String, Long> afterRestart = new TreeMap<>();
                    ev.stream().filter(e -> e.ok() && e.start() >= restartAt).forEach(e -> afterRestart.merge(c.nodeName(e.port()),
                            1L, Long::sum));
                    o.put("readsPerNodeAfterRestart", afterRestart);
                    if (proxyStatus.containsKey(p.key())) {
                        o.put("proxyViewOfVictim", proxyStatus.get(p.key()).stream().map(a -> a[0] + " " + a[1]).toList());
                    }
                    s.put(p.key(), o);
                    Object all = o.get("allSucceedAfterMillis");
                    fails.add(p.key() + " " + o.get("failed") + " failed, " + o.get("noAnswerSessions") + " of 4 sessions "
                            + "without answer ≥ 2 s (longest " + fmt((Double) o.get("longestRequestMillis") / 1000, 1)
                            + " s), all succeed after " + (all == null ? "never" : fmt(((Double) all) / 1000, 1) + " s"));
                    Object b = o.get("backOnTargetMillis");
                    back.add(p.key() + " " + (b == null ? "no (not within " + fmt((end - restart) / 1e9, 0) + " s)"
                            : "yes, " + fmt((Double) b / 1000, 1) + " s") + " " + afterRestart + proxyBackNote(proxyStatus.get(p.key()), restart));
                }
                s.put("killedNode", c.victimName());
                s.put("restartedMillisAfterKill", Stats.ms(restart - kill));
                progress("    observed " + fmt(Stats.ms(end - kill) / 1000, 1) + " s after the kill; waiting until healed");
                s.put("restartedBy", c.restartsItself() ? "Patroni" : "the benchmark, " + downMillis + " ms after the kill");
                report.row(BENCH, "4 replica SIGKILL under 4 threads per peer: failed reads, sessions without answer, time"
                        + " until all reads succeed" + where(), String.join("; ", fails),
                        "killed " + c.victimName() + " (direct JDBC's replica); pgjdbc socketTimeout 5 s on the peers' pools"
                                + missingNote());
                report.row(BENCH, "4 killed replica restarted: reads on it again (from the restart)" + where(),
                        String.join("; ", back), c.restartsItself() ? "Patroni restarted the killed postgres by itself "
                                + fmt(Stats.ms(restart - kill) / 1000, 1) + " s after the kill (new postmaster seen); time from then;"
                                + " {reads per node after the restart}; HAProxy balances connections, not reads: a long-lived pool's"
                                + " connections stay where they reconnected" : "restarted by the benchmark " + downMillis / 1000 + " s after the kill;"
                                + " pgpool tuned has auto_failback = on, sr_check_period = 1; a pgpool node that is back"
                                + " is used only by sessions that connect after its return; {reads per node after the restart}");
            } finally {
                if (watcher != null) {
                    watcher.interrupt();
                }
            }
        } finally {
            res.closeAll();
            c.awaitHealed(Duration.ofSeconds(90));
            progress("    healed");
        }
    }

    /** Polls each pgpool's (or HAProxy's) view of the victim every 250 ms: [ms since the kill, status] on change. */
    private Thread proxyWatcher(AtomicLong t0, Map<String, List<String[]>> out) {
        Thread t = new Thread(() -> {
            Map<String, String> last = new LinkedHashMap<>();
            while (!Thread.currentThread().isInterrupted()) {
                Map<String, String> now = new LinkedHashMap<>();
                if (c instanceof PeerCluster.Static st && st.missing().isEmpty()) {
                    for (String k : st.proxyKeys()) {
                        now.put(k, st.pgpool(k).status(c.victimPort()));
                    }
                } else if (c instanceof PeerCluster.OnPatroni p && p.haproxy != null) {
                    try {
                        now.put("haproxy", p.haproxy.states("replicas").getOrDefault(c.victimName(), "?"));
                    } catch (Exception e) {
                        now.put("haproxy", "error " + e.getMessage());
                    }
                }
                long ms = (System.nanoTime() - t0.get()) / 1_000_000;
                now.forEach((k, v) -> {
                    if (!v.equals(last.get(k))) {
                        synchronized (out) {
                            out.computeIfAbsent(k, x -> new ArrayList<>()).add(new String[] {ms + " ms", v});
                        }
                        last.put(k, v);
                    }
                });
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "proxy-watcher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String proxyBackNote(List<String[]> status, long restart) {
        if (status == null || status.isEmpty()) {
            return "";
        }
        return " (proxy's view: " + status.stream().map(a -> a[1] + " at " + a[0]).collect(Collectors.joining(", ")) + ")";
    }

    static String ms(double nanos) {
        return fmt(Stats.ms(nanos), 0) + " ms";
    }

    static List<Double> list(double... v) {
        return Arrays.stream(v).boxed().toList();
    }
}
