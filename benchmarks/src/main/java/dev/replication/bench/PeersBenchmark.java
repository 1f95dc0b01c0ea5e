package dev.replication.bench;

import dev.replication.testkit.PatroniCluster;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static dev.replication.bench.BenchContext.progress;

/**
 * Benchmark 8: the library side by side with what users deploy instead, in the same run and on the
 * same cluster: direct JDBC to one replica, the library, pgpool-II (default and tuned) in front of the
 * static testkit cluster; direct JDBC, the library ({@code topology=patroni}) and HAProxy (Patroni's
 * documented checks) in front of a testkit Patroni cluster. Rows: 1 read cost, 2 read-your-writes, 3
 * spread over nodes, 4 replica SIGKILL, 5 (Patroni) leader failure and switchover. The peers are
 * started by the benchmark ({@link PeerProcess}); a missing package turns its columns into "not installed"
 * with the install command and the rest runs.
 * <p>
 * System properties: {@code bench.peers.parts} ({@code static,patroni}), {@code bench.peers.rows}
 * ({@code 1,2,3,4,5}), {@code bench.cycles} (row 2's cycles per peer and mode, 2000).
 */
final class PeersBenchmark implements Benchmark {

    @Override
    public void run(BenchContext ctx) throws Exception {
        Set<String> parts = Set.copyOf(Arrays.asList(System.getProperty("bench.peers.parts", "static,patroni").split(",")));
        Set<String> rows = Set.copyOf(Arrays.asList(System.getProperty("bench.peers.rows", "1,2,3,4,5").split(",")));
        progress("8/8 peers: direct JDBC, library, pgpool-II (static cluster), HAProxy (Patroni cluster); parts " + parts
                + ", rows " + rows);
        Map<String, Object> s = ctx.report().section("8_peers");
        s.put("description", "the library beside direct JDBC to one replica, pgpool-II in front of the static testkit"
                + " cluster and HAProxy in front of a testkit Patroni cluster, measured in the same run, interleaved");
        Map<String, Object> installed = new LinkedHashMap<>();
        installed.put("pgpool", Pgpool.installed().map(Object::toString).orElse("not installed (" + Pgpool.INSTALL + ")"));
        installed.put("haproxy", Haproxy.installed().map(Object::toString).orElse("not installed (" + Haproxy.INSTALL + ")"));
        installed.put("patroni", PatroniCluster.availability().reason());
        s.put("peers", installed);
        if (parts.contains("static")) {
            long t0 = System.nanoTime();
            Map<String, Object> part = new LinkedHashMap<>();
            s.put("static", part);
            try (PeerCluster.Static c = PeerCluster.Static.start(ctx)) {
                part.put("cluster", c.label());
                if (!c.missing().isEmpty()) {
                    ctx.report().row(PeerRows.BENCH, "pgpool-II [static]", "not installed", Pgpool.INSTALL);
                } else {
                    part.put("pgpoolSettings", c.pgpool("pgpool").settings());
                    part.put("pgpoolTunedSettings", PeerCluster.Static.TUNED);
                }
                rows(ctx, c, part, rows);
                if (c.missing().isEmpty()) {
                    part.put("pgpoolProcessesAtEnd", c.pgpool("pgpool").process().processes());
                    part.put("pgpoolRssMiBAtEnd", c.pgpool("pgpool").process().rssMiB());
                }
                progress("  static part done; stopping pgpool");
            } finally {
                ctx.closeAll();
                part.put("wallSeconds", (System.nanoTime() - t0) / 1e9);
            }
        }
        if (parts.contains("patroni")) {
            long t0 = System.nanoTime();
            Map<String, Object> part = new LinkedHashMap<>();
            s.put("patroni", part);
            PatroniCluster.Availability a = PatroniCluster.availability();
            if (!a.present()) {
                part.put("notRun", a.reason());
                ctx.report().row(PeerRows.BENCH, "HAProxy + Patroni rows", "not installed", a.reason());
                return;
            }
            progress("  starting a Patroni cluster (etcd + 3 members), the library (topology=patroni) and HAProxy");
            try (PeerCluster.OnPatroni c = PeerCluster.OnPatroni.start(ctx)) {
                part.put("cluster", c.label());
                part.put("startSeconds", (System.nanoTime() - t0) / 1e9);
                if (c.haproxy != null) {
                    part.put("haproxyConfig", c.haproxy.config());
                } else {
                    ctx.report().row(PeerRows.BENCH, "HAProxy [Patroni]", "not installed", Haproxy.INSTALL);
                }
                rows(ctx, c, part, rows);
                if (rows.contains("5")) {
                    attempt(ctx, part, "5_leader_change", () -> new PeerFailover(c, ctx.report(), part).run());
                }
                if (c.haproxy != null) {
                    part.put("haproxyRssMiBAtEnd", c.haproxy.process().rssMiB());
                }
            } finally {
                ctx.closeAll();
                part.put("wallSeconds", (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    private static void rows(BenchContext ctx, PeerCluster c, Map<String, Object> part, Set<String> rows) {
        PeerRows r = new PeerRows(c, ctx.report(), part);
        int reps = ctx.options().reps(7);
        if (rows.contains("1")) {
            attempt(ctx, part, "1_read_cost", () -> r.readCost(reps, 300, 5));
        }
        if (rows.contains("2")) {
            attempt(ctx, part, "2_read_your_writes", () -> r.readYourWrites(ctx.options().cycles(), 8));
        }
        if (rows.contains("3")) {
            attempt(ctx, part, "3_spread", () -> r.spread(8, 3, 1500));
        }
        if (rows.contains("4")) {
            attempt(ctx, part, "4_replica_kill", () -> r.replicaKill(2000, 6000, 15000));
        }
    }

    /** A row that fails is reported as failed (with the error) and the next one runs. */
    private static void attempt(BenchContext ctx, Map<String, Object> part, String row, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            System.err.println("peers row " + row + " failed: " + e);
            e.printStackTrace();
            part.put(row + "_error", Harness.describe(e));
            ctx.report().row(PeerRows.BENCH, row + " FAILED", "", Harness.describe(e));
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
