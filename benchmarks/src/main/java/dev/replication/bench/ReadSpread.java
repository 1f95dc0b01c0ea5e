package dev.replication.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.replication.bench.Report.fmt;

/**
 * Where a variant's reads went, judged against the replica selector: each replica's share of all
 * reads must lie within ±{@link #TOLERANCE} (relative) of the share the selector should give it.
 *
 * @param readsPerNode reads per node name (kept sorted by name), replicas included with 0 when they got none
 * @param replicas the replicas the selector chooses among
 * @param expectedReplicaShare the share of all reads each replica should get
 */
record ReadSpread(Map<String, Long> readsPerNode, List<String> replicas, double expectedReplicaShare) {

    /** Relative tolerance around the expected share: 0.2 turns 50 % into 40–60 %. */
    static final double TOLERANCE = 0.2;

    ReadSpread {
        readsPerNode = Collections.unmodifiableMap(new TreeMap<>(readsPerNode));
        replicas = List.copyOf(replicas);
    }

    /** Round-robin over {@code replicas} with the primary's read weight 0: each replica expects 1/n. */
    static ReadSpread roundRobin(Map<String, Long> readsPerNode, List<String> replicas) {
        return new ReadSpread(readsPerNode, replicas, 1.0 / replicas.size());
    }

    long total() {
        return readsPerNode.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The node's share of all reads (0..1); NaN when there were no reads. */
    double share(String node) {
        long total = total();
        return total == 0 ? Double.NaN : readsPerNode.getOrDefault(node, 0L) / (double) total;
    }

    double low() {
        return expectedReplicaShare * (1 - TOLERANCE);
    }

    double high() {
        return expectedReplicaShare * (1 + TOLERANCE);
    }

    boolean withinRange(String replica) {
        double s = share(replica);
        return s >= low() && s <= high();
    }

    boolean allReplicasWithinRange() {
        return replicas.stream().allMatch(this::withinRange);
    }

    /** The shares and the verdict as JSON fields. */
    Map<String, Object> json() {
        Map<String, Object> shares = new LinkedHashMap<>();
        Map<String, Object> within = new LinkedHashMap<>();
        nodes().forEach(n -> shares.put(n, share(n)));
        replicas.forEach(r -> within.put(r, withinRange(r)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("readSharePerNode", shares);
        m.put("expectedReplicaShare", expectedReplicaShare);
        m.put("replicaShareRange", List.of(low(), high()));
        m.put("replicaShareWithinRange", within);
        m.put("allReplicasWithinRange", allReplicasWithinRange());
        return m;
    }

    /** e.g. {@code node2 1855 (92.8 %), node3 143 (7.2 %), primary 2 (0.1 %)}. */
    String counts() {
        List<String> parts = new ArrayList<>();
        nodes().forEach(n -> parts.add(n + " " + readsPerNode.getOrDefault(n, 0L) + " (" + percent(share(n)) + ")"));
        return String.join(", ", parts);
    }

    /** The verdict, naming the replicas outside the range. */
    String verdict() {
        String range = percent(low()) + "–" + percent(high());
        List<String> outside = replicas.stream().filter(r -> !withinRange(r)).map(r -> r + " " + percent(share(r))).toList();
        return outside.isEmpty() ? "every replica within " + range
                : "NOT within " + range + ": " + String.join(", ", outside);
    }

    /** Replicas first in their order, then the other nodes (the primary) by name. */
    private List<String> nodes() {
        List<String> nodes = new ArrayList<>(replicas);
        readsPerNode.keySet().stream().filter(n -> !replicas.contains(n)).sorted().forEach(nodes::add);
        return nodes;
    }

    private static String percent(double share) {
        return fmt(100 * share, 1) + " %";
    }
}
