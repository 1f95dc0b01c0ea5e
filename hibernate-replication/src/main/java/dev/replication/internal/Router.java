package dev.replication.internal;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyTimeoutException;
import dev.replication.ConsistencyToken;
import dev.replication.Intent;
import dev.replication.NoReplicaAvailableException;
import dev.replication.NoReplicaPolicy;
import dev.replication.ReplicationConfig;
import dev.replication.RoutingDecision;
import dev.replication.RoutingOptions;
import dev.replication.RoutingReason;
import dev.replication.spi.ReplicaCandidate;
import dev.replication.spi.ReplicaSelector;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Decides the node of a routing scope. Reads only the monitor's snapshots, except when the
 * scope carries a read-after-write token that the snapshot does not show as replayed: then it
 * asks the chosen replica itself, and in {@code wait} mode polls the candidates until one has
 * replayed the token or the wait timeout passes.
 */
public final class Router {
    private static final long POLL_NANOS = 2_000_000L;

    private final ReplicationRuntime runtime;
    private final ReplicationConfig config;
    private final ReplicaSelector selector;

    Router(ReplicationRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
        this.selector = Selectors.create(config.selector());
    }

    public RoutingDecision primary(Intent intent, RoutingReason reason) {
        return new RoutingDecision(runtime.primary().name(), runtime.primaryTenant(), intent, reason, false);
    }

    /**
     * @param avoid a node that just failed for this scope, or {@code null}
     */
    public RoutingDecision route(Intent intent, RoutingOptions options, String avoid) {
        if (intent != Intent.READ) {
            return primary(intent, RoutingReason.PRIMARY_REQUESTED);
        }
        Duration maxLag = options.maxLag();
        NoReplicaPolicy policy = options.noReplica() != null ? options.noReplica() : config.noReplicaPolicy();
        List<Node> replicas = runtime.replicas();
        List<Node> usable = new ArrayList<>(replicas.size());
        boolean anyUp = false;
        for (Node n : replicas) {
            Node.Health h = n.health;
            if (n.name().equals(avoid)) {
                continue;
            }
            anyUp |= h.up();
            if (h.usable() && (maxLag == null || (h.lag() != null && h.lag().compareTo(maxLag) <= 0))) {
                usable.add(n);
            }
        }
        Node primary = runtime.primary();
        boolean primaryReads = config.primaryReadWeight() > 0 && !primary.fenced && primary.health.up()
                && !primary.name().equals(avoid);
        if (primaryReads) {
            usable.add(primary);
        }
        if (usable.isEmpty()) {
            RoutingReason reason = anyUp ? RoutingReason.LAG_EXCEEDED : RoutingReason.NO_HEALTHY_REPLICA;
            if (policy == NoReplicaPolicy.FAIL) {
                throw noReplica(replicas, maxLag, avoid);
            }
            return primary(intent, reason);
        }
        boolean tokens = config.consistency() != ReplicationConfig.ConsistencyMode.OFF;
        if (tokens && ConsistencyScope.current().positionUnknown()) {
            // a write's position could not be learned: only the primary is known to have it
            return primary(intent, RoutingReason.TOKEN_UNKNOWN);
        }
        long token = tokens ? tokenOfScope() : 0;
        if (token == 0) {
            return read(pick(usable));
        }
        // The selector chooses among every usable node, whatever the snapshots say, so the spread
        // holds for readers that write: a replica whose snapshot is older than the token is probed,
        // not excluded (snapshots are up to one monitor interval old).
        Node chosen = pick(usable);
        if (replayedNow(chosen, token)) {
            return read(chosen);
        }
        List<Node> caughtUp = new ArrayList<>(usable.size());
        for (Node n : usable) {
            if (n != chosen && (n == primary || replayed(n.health.lsn(), token))) {
                caughtUp.add(n);
            }
        }
        if (!caughtUp.isEmpty()) {
            return read(pick(caughtUp));
        }
        if (config.consistency() == ReplicationConfig.ConsistencyMode.PRIMARY) {
            return primary(intent, RoutingReason.TOKEN_NOT_REPLAYED);
        }
        // Wait, probing the selector's choice first and then the others in list order from there,
        // so no replica is favoured because of its position in the configuration.
        int first = usable.indexOf(chosen);
        int count = usable.size();
        long start = System.nanoTime();
        long deadline = start + config.consistencyWaitTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
            for (int i = 0; i < count; i++) {
                Node n = usable.get((first + i) % count);
                if (replayedNow(n, token)) {
                    Duration waited = Duration.ofNanos(System.nanoTime() - start);
                    List<String> waitedFor = names(usable);
                    runtime.fire(l -> l.tokenWaited(n.name(), waited, true, waitedFor));
                    return replica(n, RoutingReason.TOKEN_WAITED);
                }
            }
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        List<String> waitedFor = names(usable);
        if (policy == NoReplicaPolicy.FAIL) {
            runtime.fire(l -> l.tokenWaited(null, waited, false, waitedFor));
            throw new ConsistencyTimeoutException("No replica replayed token " + new ConsistencyToken(token)
                    + " within " + config.consistencyWaitTimeout().toMillis() + "ms: "
                    + usable.stream().map(n -> n.status().describe() + " replayed "
                    + ReplicationRuntime.lsnText(n.health.lsn())).toList());
        }
        runtime.fire(l -> l.tokenWaited(primary.name(), waited, false, waitedFor));
        return primary(intent, RoutingReason.TOKEN_WAIT_TIMEOUT);
    }

    private static List<String> names(List<Node> nodes) {
        List<String> names = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            names.add(n.name());
        }
        return List.copyOf(names);
    }

    /** The token of the current consistency scope, capped to the primary's known position; 0 for none. */
    private long tokenOfScope() {
        long token = ConsistencyScope.current().position();
        if (token == 0) {
            return 0;
        }
        long primaryLsn = runtime.positions().knownPrimaryLsn();
        if (primaryLsn > 0 && Long.compareUnsigned(token, primaryLsn) > 0) {
            // ahead of everything known: a commit by another process, or a forged token; ask the primary
            primaryLsn = runtime.positions().refreshPrimaryLsn();
        }
        if (primaryLsn > 0 && Long.compareUnsigned(token, primaryLsn) > 0) {
            // An untrusted token ahead of the primary could make every read wait: cap it.
            Log.LOG.tokenCapped(new ConsistencyToken(token).toString(), new ConsistencyToken(primaryLsn).toString());
            ConsistencyScope.current().capTo(new ConsistencyToken(primaryLsn));
            return primaryLsn;
        }
        return token;
    }

    private static boolean replayed(long replayLsn, long token) {
        return replayLsn >= 0 && Long.compareUnsigned(replayLsn, token) >= 0;
    }

    private boolean replayedNow(Node n, long token) {
        if (n == runtime.primary() || replayed(n.health.lsn(), token)) {
            return true;
        }
        try {
            return replayed(runtime.positions().replayLsn(n), token);
        } catch (SQLException e) {
            return false;
        }
    }

    private Node pick(List<Node> nodes) {
        if (nodes.size() == 1) {
            return nodes.get(0);
        }
        List<ReplicaCandidate> candidates = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            Node.Health h = n.health;
            int weight = n == runtime.primary() ? config.primaryReadWeight() : n.config().weight();
            candidates.add(new ReplicaCandidate(n.name(), weight, n.active(),
                    Math.max(0, h.lagBytes()), h.lag() == null ? Duration.ZERO : h.lag()));
        }
        ReplicaCandidate chosen = selector.select(candidates);
        for (Node n : nodes) {
            if (n.name().equals(chosen.name())) {
                return n;
            }
        }
        throw new IllegalStateException("selector " + selector + " returned '" + chosen.name()
                + "', which is not among the candidates");
    }

    /** A read on {@code n}: a replica, or the primary when it takes a share of reads. */
    private RoutingDecision read(Node n) {
        if (n == runtime.primary()) {
            return new RoutingDecision(n.name(), runtime.primaryTenant(), Intent.READ, RoutingReason.PRIMARY_SELECTED, false);
        }
        return replica(n, RoutingReason.REPLICA_SELECTED);
    }

    private RoutingDecision replica(Node n, RoutingReason reason) {
        return new RoutingDecision(n.name(), runtime.readTenant(n), Intent.READ, reason, true);
    }

    private NoReplicaAvailableException noReplica(List<Node> replicas, Duration maxLag, String avoid) {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Node n : replicas) {
            Node.Health h = n.health;
            String reason;
            if (n.name().equals(avoid)) {
                reason = "failed during this call";
            } else if (!h.usable()) {
                reason = h.excludedReason();
            } else {
                reason = "lag " + (h.lag() == null ? "unknown" : h.lag().toMillis() + "ms") + " > call's max "
                        + maxLag.toMillis() + "ms";
            }
            reasons.put(n.name(), reason);
        }
        StringBuilder sb = new StringBuilder("No replica qualifies for this read (policy fail):");
        reasons.forEach((k, v) -> sb.append(' ').append(k).append(": ").append(v).append(';'));
        if (reasons.isEmpty()) {
            sb.append(" no replica is configured");
        }
        return new NoReplicaAvailableException(sb.toString(), reasons);
    }
}
