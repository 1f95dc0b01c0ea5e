package dev.replication.bench;

import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Two application instances, one promotion: two JVMs ({@link TwoInstanceApp}) run the library in
 * {@code promote} mode against one testkit cluster (primary + 2 replicas) and write continuously; the
 * primary is SIGKILLed {@code kills} times in a row. After each kill: both instances write again, exactly
 * one running node is out of recovery, the testkit adopts it, the killed and the stranded node are
 * re-attached as standbys, and both instances count every node usable again before the next kill.
 * Afterwards every acknowledged write and every stored row is checked against the primaries the driver saw.
 * Used by the benchmark and its test (one code path). Not thread-safe: one run per instance.
 */
final class TwoInstanceFailover {

    static final String DB = "twojvm";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    /** An acknowledged write as an instance reported it, with the driver's receive time. */
    record Ack(String instance, long seq, int port, int tli, long receivedNanos) {
    }

    /** Who was primary between two kills: the node the driver found out of recovery, with its timeline. */
    record Epoch(int index, String node, int port, int tli) {
    }

    /**
     * One kill.
     *
     * @param killed           the SIGKILLed primary
     * @param promoted         the node found out of recovery afterwards
     * @param outOfRecovery    running nodes out of recovery once both instances wrote again (must be 1)
     * @param outOfRecoveryAfterHeal the same, after re-attaching (must be 1)
     * @param firstWriteMillis per instance: kill → first acknowledged write on another node
     * @param promotedBy       instances that reported "promoted by us" for this failover
     * @param reattachMillis   re-attaching the killed and the stranded node (fresh base backups)
     * @param readmitMillis    re-attached → both instances count every node usable
     */
    record Kill(String killed, String promoted, int outOfRecovery, int outOfRecoveryAfterHeal,
                Map<String, Long> firstWriteMillis, List<String> promotedBy, long reattachMillis, long readmitMillis) {
    }

    /**
     * The whole run.
     *
     * @param kills        one per kill
     * @param epochs       the primaries in order, epoch 0 before the first kill
     * @param acks         acknowledged writes (both instances)
     * @param failedWrites writes that did not return
     * @param rowsStored   rows on the final primary
     * @param ackedMissing acknowledged writes missing on the final primary (asynchronous replication can lose
     *                     commits acknowledged just before a kill)
     * @param violations   split brain or misattributed writes, empty when none
     */
    record Result(List<Kill> kills, List<Epoch> epochs, int acks, long failedWrites, int rowsStored, int ackedMissing,
                  List<String> violations) {

        /** Every instance's kill → first write, all kills, sorted. */
        List<Long> firstWriteMillis() {
            return kills.stream().flatMap(k -> k.firstWriteMillis().values().stream()).sorted().toList();
        }
    }

    private final PgCluster cluster;
    private final Path logDir;
    /** The library's node names by port: the first primary is {@code primary}, the replicas keep the testkit's names. */
    private final Map<Integer, String> libNames = new HashMap<>();

    TwoInstanceFailover(PgCluster cluster, Path logDir) {
        this.cluster = cluster;
        this.logDir = logDir;
    }

    /** Runs {@code kills} primary kills with two instances writing; the cluster ends with a primary and 2 standbys. */
    Result run(int kills) throws Exception {
        prepare();
        List<InstanceProcess> instances = List.of(start("A"), start("B"));
        List<Kill> results = new ArrayList<>();
        List<Epoch> epochs = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            awaitHealthy(instances, t0, "primary");
            epochs.add(new Epoch(0, cluster.primary().name(), cluster.primary().port(), timeline(cluster.primary())));
            for (int k = 1; k <= kills; k++) {
                results.add(killOnce(k, instances, epochs));
            }
        } finally {
            stop(instances);
        }
        List<Ack> acks = new ArrayList<>();
        instances.forEach(i -> acks.addAll(i.acks()));
        List<String> violations = new ArrayList<>();
        results.forEach(k -> {
            if (k.outOfRecovery() != 1 || k.outOfRecoveryAfterHeal() != 1) {
                violations.add("after killing " + k.killed() + ": " + k.outOfRecovery() + " then "
                        + k.outOfRecoveryAfterHeal() + " nodes out of recovery");
            }
        });
        checkAcks(instances, epochs, violations);
        int[] stored = checkRows(acks, epochs, violations);
        long failed = instances.stream().mapToLong(i -> i.failed.get()).sum();
        return new Result(results, epochs, acks.size(), failed, stored[0], stored[1], violations);
    }

    private void prepare() throws SQLException {
        libNames.put(cluster.primary().port(), "primary");
        cluster.replicas().forEach(r -> libNames.put(r.port(), r.name()));
        cluster.createDatabase(DB);
        try (Connection c = cluster.primary().connect(DB); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE write_log (instance text NOT NULL, seq bigint NOT NULL, port int NOT NULL,"
                    + " tli int NOT NULL, PRIMARY KEY (instance, seq))");
        }
        cluster.awaitReplicated(STEP_TIMEOUT);
    }

    private InstanceProcess start(String name) throws IOException {
        List<String> nodes = new ArrayList<>();
        nodes.add("primary=" + cluster.primary().jdbcUrl(DB));
        cluster.replicas().forEach(r -> nodes.add(r.name() + "=" + r.jdbcUrl(DB)));
        return InstanceProcess.launch(name, cluster.user(), cluster.password(), nodes, logDir);
    }

    private Kill killOnce(int k, List<InstanceProcess> instances, List<Epoch> epochs) throws SQLException {
        PgNode old = cluster.primary();
        long killed = System.nanoTime();
        old.kill();
        Map<String, Long> firstWrite = new LinkedHashMap<>();
        Await.until("both instances write again after kill " + k, STEP_TIMEOUT, () -> {
            for (InstanceProcess i : instances) {
                Ack a = i.firstAckAfter(killed, old.port());
                if (a != null) {
                    firstWrite.putIfAbsent(i.name, TimeUnit.NANOSECONDS.toMillis(a.receivedNanos() - killed));
                }
            }
            return firstWrite.size() == instances.size();
        });
        List<PgNode> primaries = outOfRecovery(old);
        if (primaries.size() != 1) {
            throw new IllegalStateException("kill " + k + " of " + old.name() + ": both instances write again, but "
                    + primaries.size() + " running nodes are out of recovery: " + primaries.stream().map(PgNode::name).toList()
                    + (primaries.isEmpty() ? "" : " (split brain); instance events: "
                    + instances.stream().map(i -> i.name + " " + i.events()).toList()));
        }
        PgNode promoted = primaries.get(0);
        epochs.add(new Epoch(k, promoted.name(), promoted.port(), timeline(promoted)));
        List<String> promotedBy = new ArrayList<>();
        String lib = libNames.get(promoted.port());
        for (InstanceProcess i : instances) {
            if (i.events().contains("PRIMARY " + libNames.get(old.port()) + " " + lib + " true")) {
                promotedBy.add(i.name);
            }
        }
        cluster.adoptPromotion(promoted);
        long r0 = System.nanoTime();
        for (PgNode n : cluster.nodes()) {
            if (n != promoted) {
                cluster.reattach(n);
            }
        }
        long reattached = System.nanoTime();
        awaitHealthy(instances, reattached, lib);
        long readmitted = System.nanoTime();
        int after = outOfRecovery(null).size();
        return new Kill(old.name(), promoted.name(), primaries.size(), after, firstWrite, promotedBy,
                TimeUnit.NANOSECONDS.toMillis(reattached - r0), TimeUnit.NANOSECONDS.toMillis(readmitted - reattached));
    }

    private static void awaitHealthy(List<InstanceProcess> instances, long since, String primary) {
        Await.until("both instances see primary '" + primary + "' and every node usable", STEP_TIMEOUT,
                () -> instances.stream().allMatch(i -> i.seesHealthy(since, primary)));
    }

    /** Running nodes other than {@code except} that answer they are out of recovery. */
    private List<PgNode> outOfRecovery(PgNode except) {
        List<PgNode> out = new ArrayList<>();
        for (PgNode n : cluster.nodes()) {
            if (n != except && n.isRunning() && !n.isInRecovery()) {
                out.add(n);
            }
        }
        return out;
    }

    static int timeline(PgNode node) throws SQLException {
        try (Connection c = node.connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + TwoInstanceApp.TIMELINE_SQL)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * Every acknowledged write: on a timeline the driver saw, by that timeline's primary; one node per
     * timeline; per instance never back to an earlier primary.
     */
    private static void checkAcks(List<InstanceProcess> instances, List<Epoch> epochs, List<String> violations) {
        Map<Integer, Epoch> byTli = new HashMap<>();
        epochs.forEach(e -> byTli.put(e.tli(), e));
        Map<Integer, Set<Integer>> portsByTli = new TreeMap<>();
        for (InstanceProcess i : instances) {
            int lastEpoch = -1;
            for (Ack a : i.acks()) {
                portsByTli.computeIfAbsent(a.tli(), t -> new TreeSet<>()).add(a.port());
                Epoch e = byTli.get(a.tli());
                if (e == null) {
                    violations.add(i.name + " seq " + a.seq() + ": accepted on timeline " + a.tli() + " (port " + a.port()
                            + "), no primary the driver saw");
                } else if (e.port() != a.port()) {
                    violations.add(i.name + " seq " + a.seq() + ": timeline " + a.tli() + " accepted by port " + a.port()
                            + ", but its primary was " + e.node() + " (port " + e.port() + ")");
                } else if (e.index() < lastEpoch) {
                    violations.add(i.name + " seq " + a.seq() + ": written to " + e.node() + " (epoch " + e.index()
                            + ") after a write in epoch " + lastEpoch);
                } else {
                    lastEpoch = e.index();
                }
            }
        }
        portsByTli.forEach((tli, ports) -> {
            if (ports.size() > 1) {
                violations.add("timeline " + tli + " accepted writes on ports " + ports + " (split brain)");
            }
        });
    }

    /**
     * The rows on the final primary: each attributed to its timeline's primary, each acknowledged one as
     * acknowledged. Returns {rows stored, acknowledged rows missing}.
     */
    private int[] checkRows(List<Ack> acks, List<Epoch> epochs, List<String> violations) throws SQLException {
        Map<Integer, Integer> portByTli = new HashMap<>();
        epochs.forEach(e -> portByTli.put(e.tli(), e.port()));
        Map<String, Ack> acked = new HashMap<>();
        acks.forEach(a -> acked.put(a.instance() + "/" + a.seq(), a));
        int rows = 0;
        try (Connection c = cluster.primary().connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT instance, seq, port, tli FROM write_log")) {
            while (rs.next()) {
                rows++;
                String key = rs.getString(1) + "/" + rs.getLong(2);
                int port = rs.getInt(3);
                int tli = rs.getInt(4);
                Integer expected = portByTli.get(tli);
                if (expected == null || expected != port) {
                    violations.add("row " + key + " stored as accepted by port " + port + " on timeline " + tli
                            + ", whose primary was port " + expected);
                }
                Ack a = acked.remove(key);
                if (a != null && (a.port() != port || a.tli() != tli)) {
                    violations.add("row " + key + " acknowledged as port " + a.port() + "/timeline " + a.tli()
                            + ", stored as " + port + "/" + tli);
                }
            }
        }
        return new int[] {rows, acked.size()};
    }

    private static void stop(List<InstanceProcess> instances) throws InterruptedException {
        InstanceProcess.stopAll(instances);
    }
}
