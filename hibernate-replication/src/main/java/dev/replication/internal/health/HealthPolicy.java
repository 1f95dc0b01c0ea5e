package dev.replication.internal.health;

import dev.replication.NodeRole;
import dev.replication.ReplicationConfig;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.cluster.ClusterTopology;
import dev.replication.internal.observe.EventPublisher;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

// Slightly over ~300 lines: the primary's and the replicas' health, admission and exclusion rules share one
// round's state (the primary's position, the standby horizon).
/**
 * Turns the monitor's observations into each node's health: up or down, usable for reads or
 * excluded (lag, unknown lag, following an old primary, fenced), and readmitted only after
 * {@code replication.readmit-after} good checks in a row. Logs and publishes each transition
 * once. Runs on the monitor thread, except {@link #markDown}, which request threads call; both
 * change a node only under the node's lock.
 */
public final class HealthPolicy {

    private final ReplicationConfig config;
    private final ClusterTopology topology;
    private final ClusterMonitor monitor;
    private final EventPublisher events;
    /** Keyed by identity (Node keeps Object's equals); nodes may be added and removed at run time. */
    private final Map<Node, Admission> admissions = new ConcurrentHashMap<>();
    private boolean noReplicaLogged;

    public HealthPolicy(ReplicationConfig config, ClusterTopology topology, ClusterMonitor monitor, EventPublisher events) {
        this.config = config;
        this.topology = topology;
        this.monitor = monitor;
        this.events = events;
        for (Node n : topology.nodes()) {
            admissions.put(n, new Admission());
        }
    }

    /** A standby found at run time: it serves reads only after {@code replication.readmit-after} good checks. */
    public void nodeAdded(Node n) {
        Admission a = new Admission();
        a.probation = true;
        a.lateJoiner = true;
        a.lastExclusion = "joined the cluster";
        admissions.put(n, a);
    }

    /** A node that left the cluster. */
    public void nodeRemoved(Node n) {
        admissions.remove(n);
    }

    private Admission admission(Node n) {
        return admissions.computeIfAbsent(n, k -> new Admission());
    }

    /** Marks a node down now (a request saw its connection fail); the monitor will readmit it. */
    public void markDown(Node node, String reason) {
        synchronized (node) {
            Node.Health h = node.health();
            if (h.up() || h.usable()) {
                Admission a = admission(node);
                node.health(h.down(reason, Instant.now()));
                a.probation = node != topology.primary();
                a.goodStreak = 0;
                Log.LOG.nodeDown(node.name(), reason);
                events.nodeState(node.name(), "down", reason);
            }
        }
    }

    /** The primary that was just replaced: down, on probation until it re-attaches as a standby. */
    public void formerPrimary(Node old, Instant now) {
        synchronized (old) {
            old.health(old.health().down("fenced: former primary", now));
            admission(old).probation = true;
        }
    }

    /**
     * The primary changed to one on timeline {@code timeline}: standbys last seen on an older timeline
     * stop serving reads now, not at the next check (they may hold WAL the new primary never had).
     */
    public void primaryChanged(long timeline, Instant now) {
        for (Node n : topology.nodes()) {
            if (n == topology.primary()) {
                continue;
            }
            synchronized (n) {
                Node.Health h = n.health();
                if (h.usable() && h.timeline() >= 0 && h.timeline() < timeline) {
                    String reason = "follows an old primary (timeline " + h.timeline() + " < " + timeline + ")";
                    n.health(new Node.Health(h.up(), false, h.observedRole(), h.lsn(), h.lagBytes(), h.lag(),
                            h.timeline(), h.upstreamPort(), reason, now));
                    Admission a = admission(n);
                    a.probation = true;
                    a.goodStreak = 0;
                }
            }
        }
    }

    /** Applies one round of checks to the (possibly just changed) primary and every other node. */
    public void apply(Map<Node, Observation> results, Instant now) {
        Node p = topology.primary();
        applyPrimary(p, results.get(p), now);
        long standbyHorizon = -1;
        for (Observation o : results.values()) {
            if (o != null && o.ok() && o.role() == NodeRole.REPLICA && o.lsn() >= 0
                    && (standbyHorizon < 0 || Long.compareUnsigned(o.lsn(), standbyHorizon) > 0)) {
                standbyHorizon = o.lsn();
            }
        }
        int usable = 0;
        boolean anyReadNode = false;
        StringBuilder why = new StringBuilder();
        for (Node n : topology.nodes()) {
            if (n == p || !results.containsKey(n)) {
                continue;
            }
            applyReplica(n, results.get(n), standbyHorizon, now);
            if (!n.readsAllowed()) {
                continue;
            }
            anyReadNode = true;
            if (n.health().usable()) {
                usable++;
            } else if (n.routingRole() == NodeRole.REPLICA || n.fenced()) {
                why.append(why.length() == 0 ? "" : "; ").append(n.name()).append(": ")
                        .append(n.health().excludedReason());
            }
        }
        if (usable == 0 && anyReadNode) {
            if (!noReplicaLogged) {
                noReplicaLogged = true;
                Log.LOG.noReplicaFallback(why.toString());
            }
        } else if (noReplicaLogged) {
            noReplicaLogged = false;
            Log.LOG.replicasBack();
        }
    }

    private void applyPrimary(Node p, Observation po, Instant now) {
        boolean primaryOk = po != null && po.ok() && po.role() == NodeRole.PRIMARY;
        synchronized (p) {
            Node.Health old = p.health();
            if (primaryOk) {
                p.health(Node.Health.primary(po.lsn(), po.timeline(), now));
                if (!old.up() && old.lastCheck() != null) {
                    Log.LOG.nodeUp(p.name(), NodeRole.PRIMARY);
                    events.nodeState(p.name(), "up", null);
                }
            } else {
                String reason = po == null ? "not checked" : po.ok() ? "reports it is in recovery" : po.error();
                p.health(new Node.Health(false, false, po != null && po.ok() ? po.role() : NodeRole.UNKNOWN,
                        old.lsn(), -1, null, old.timeline(), -1, reason, now));
                if (old.up()) {
                    Log.LOG.nodeDown(p.name(), reason);
                    events.nodeState(p.name(), "down", reason);
                }
                // a hung primary fails every check: its in-flight work is aborted from the second failed
                // check on (or at once when the connection was refused or reset), so one check that timed
                // out on a loaded machine does not kill healthy writes
                if (!old.up() || (po != null && po.hardFailure())) {
                    p.connections().abortInUse(monitor.executor());
                }
            }
        }
    }

    private void applyReplica(Node n, Observation o, long standbyHorizon, Instant now) {
        synchronized (n) {
            Admission a = admission(n);
            Node.Health old = n.health();
            if (o == null || !o.ok()) {
                String reason = o == null ? "not checked" : o.error();
                n.health(old.down(reason, now));
                a.goodStreak = 0;
                a.badStreak++;
                a.probation = true;
                if (old.up() || old.lastCheck() == null) {
                    Log.LOG.nodeDown(n.name(), reason);
                    events.nodeState(n.name(), "down", reason);
                }
                // every round, not only on the transition: a request may have picked the node just
                // before it was marked down and be blocked on it now
                n.connections().abortInUse(monitor.executor());
                return;
            }
            a.badStreak = 0;
            if (!old.up() && old.lastCheck() != null) {
                Log.LOG.nodeUp(n.name(), o.role());
                events.nodeState(n.name(), "up", null);
            }
            Lag lag = new Lag();
            String exclusion = o.role() == NodeRole.PRIMARY ? fenceSecondPrimary(n, o) : standbyExclusion(n, o, a, old,
                    lag, standbyHorizon, now);
            boolean usable = admit(n, a, old, exclusion);
            if (usable) {
                exclusion = null;
            } else if (exclusion == null) {
                exclusion = "on probation: " + a.goodStreak + " of " + config.readmitAfter()
                        + " good checks after: " + a.lastExclusion;
            } else {
                if (old.usable() || !exclusion.equals(a.lastExclusion) && (a.lastExclusion == null
                        || !sameKind(exclusion, a.lastExclusion))) {
                    Log.LOG.replicaExcluded(n.name(), exclusion);
                    events.nodeState(n.name(), "excluded", exclusion);
                }
                a.lastExclusion = exclusion;
            }
            n.health(new Node.Health(true, usable, o.role(), o.lsn(), lag.bytes, lag.time, o.timeline(),
                    o.upstreamPort(), exclusion, now));
        }
    }

    /** Lag of a standby, when it was measured. */
    private static final class Lag {
        long bytes = -1;
        Duration time;
    }

    /** A node other than the primary that reports it is a primary: fenced, never routed to. */
    private String fenceSecondPrimary(Node n, Observation o) {
        Node primary = topology.primary();
        if (topology.promoting() == n) {
            return "being promoted to primary";
        }
        if (!n.fenced()) {
            topology.fence(n);
            long primaryTimeline = topology.primaryTimeline();
            if (primaryTimeline >= 0 && o.timeline() > primaryTimeline) {
                // how every external failover first looks, until the failover policy follows it: not an error
                Log.LOG.promotedElsewhereSeen(n.name(), o.timeline(), primaryTimeline, primary.name());
            } else {
                Log.LOG.fencedNodeSeen(n.name(), o.timeline(), primary.name(), primaryTimeline);
            }
            events.nodeState(n.name(), "fenced", "reports not in recovery");
        }
        return "fenced: reports not in recovery (timeline " + o.timeline() + ") while '" + primary.name()
                + "' is the primary";
    }

    /**
     * Why a standby may not serve reads now (null: it may, subject to probation); fills in its lag.
     * Lag is measured against the primary's position, or its last known one while it is down. When
     * the primary has not been seen since startup (an application started during a primary outage),
     * the most advanced standby's position stands in (the freshest data any running node has; commits
     * the primary had not yet streamed are unknown either way), so reads can be served.
     */
    private String standbyExclusion(Node n, Observation o, Admission a, Node.Health old, Lag lag,
                                    long standbyHorizon, Instant now) {
        Node primary = topology.primary();
        long primaryTimeline = topology.primaryTimeline();
        if (n.fenced()) {
            if (primaryTimeline < 0 || o.timeline() >= primaryTimeline) {
                topology.unfence(n);
                a.probation = true;
                a.goodStreak = 0;
                Log.LOG.unfenced(n.name(), primary.name());
                events.nodeState(n.name(), "unfenced", null);
            } else {
                return "fenced: old primary, not yet re-attached to '" + primary.name() + "'";
            }
        }
        long restartedFrom = topology.restartedFromTimeline();
        boolean prefixOfPrimary = restartedFrom >= 0 && o.timeline() >= restartedFrom;
        if (primaryTimeline >= 0 && o.timeline() >= 0 && o.timeline() < primaryTimeline && !prefixOfPrimary) {
            if (old.excludedReason() == null || !old.excludedReason().startsWith("follows")) {
                Log.LOG.replicaOnOldPrimary(n.name(), primary.name());
            }
            return "follows an old primary (timeline " + o.timeline() + " < " + primaryTimeline + ")";
        }
        long primaryLsn = primary.health().lsn() >= 0 ? primary.health().lsn() : topology.lastPrimaryLsn();
        if (primaryLsn < 0 && !primary.health().up()) {
            primaryLsn = standbyHorizon;
        }
        if (primaryLsn < 0 || o.lsn() < 0) {
            return "lag unknown (" + (primaryLsn < 0 ? "primary position never seen" : "no replay position") + ")";
        }
        lag.bytes = Math.max(0, primaryLsn - o.lsn());
        lag.time = monitor.timeLag(o.lsn(), primaryLsn, now);
        if (lag.time.compareTo(config.maxLag()) > 0) {
            return "lag " + lag.time.toMillis() + "ms > max " + config.maxLag().toMillis() + "ms";
        }
        if (config.maxLagBytes() > 0 && lag.bytes > config.maxLagBytes()) {
            return "lag " + lag.bytes + " bytes > max " + config.maxLagBytes() + " bytes";
        }
        return null;
    }

    /** Counts a check towards readmission; true when the node may serve reads. */
    private boolean admit(Node n, Admission a, Node.Health old, String exclusion) {
        if (exclusion != null) {
            a.goodStreak = 0;
            a.probation = true;
            return false;
        }
        a.goodStreak++;
        if (a.probation && a.goodStreak >= config.readmitAfter()) {
            a.probation = false;
            if (old.lastCheck() != null && a.lastExclusion != null) {
                Log.LOG.replicaReadmitted(n.name(), a.goodStreak);
                events.nodeState(n.name(), "readmitted", null);
            }
        }
        if (old.lastCheck() == null && !a.lateJoiner) {
            a.probation = false;
        }
        return !a.probation;
    }

    private static boolean sameKind(String a, String b) {
        int ia = a.indexOf(' ');
        int ib = b.indexOf(' ');
        return ia > 0 && ib > 0 && a.substring(0, ia).equals(b.substring(0, ib));
    }
}
