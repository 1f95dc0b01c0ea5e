package dev.replication.internal.cluster;

import dev.replication.ClusterStatus;
import dev.replication.NodeConfig;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationException;
import dev.replication.internal.Node;
import dev.replication.internal.connection.ConnectionSource;
import dev.replication.internal.connection.NodeConnections;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The nodes of the cluster and what each is for now: which one is the primary (the primary tenant
 * always means the current primary), which are replicas, which are fenced. Also the primary's
 * last known timeline and position, which the health policy compares replicas against.
 * <p>
 * Thread-safe for readers: the primary and the replica list are volatile snapshots. Changes happen
 * on the monitor thread (or an operator's promotion, serialised with it).
 */
public final class ClusterTopology implements AutoCloseable {

    private final ReplicationConfig config;
    private final BiFunction<NodeConfig, ReplicationConfig, ConnectionSource> sources;
    /** Replaced, never changed in place (nodes come and go with a Patroni topology). */
    private volatile Map<String, Node> nodes;
    private final String primaryTenant;
    private final String readTenantOfConfiguredPrimary;
    private volatile Node primary;
    private volatile List<Node> replicaCache;
    private volatile Node promoting;

    /* monitor-thread state */
    private long lastPrimaryLsn = -1;
    private long primaryTimeline = -1;
    private long restartedFromTimeline = -1;

    /**
     * @param sources where each node's connections come from (given the node's configuration)
     */
    public ClusterTopology(ReplicationConfig config, BiFunction<NodeConfig, ReplicationConfig, ConnectionSource> sources) {
        this(config, sources, config.primary(), config.replicas());
    }

    /**
     * A topology of the given nodes (a Patroni cluster's members: {@code primary} is its leader).
     * The primary tenant is still {@code config.primary().name()}.
     */
    public ClusterTopology(ReplicationConfig config, BiFunction<NodeConfig, ReplicationConfig, ConnectionSource> sources,
                           NodeConfig primaryNode, List<NodeConfig> replicaNodes) {
        this.config = config;
        this.sources = sources;
        this.primaryTenant = config.primary().name();
        this.readTenantOfConfiguredPrimary = primaryTenant + "#read";
        Map<String, Node> map = new LinkedHashMap<>();
        Node p = node(primaryNode, NodeRole.PRIMARY);
        map.put(p.name(), p);
        for (NodeConfig rc : replicaNodes) {
            map.put(rc.name(), node(rc, NodeRole.REPLICA));
        }
        this.nodes = map;
        this.primary = p;
        rolesChanged();
    }

    private Node node(NodeConfig nc, NodeRole role) {
        return new Node(nc, role, new NodeConnections(nc, sources.apply(nc, config), config));
    }

    /** Adds a standby found at run time (not routed to before its checks admit it). Monitor thread. */
    public Node add(NodeConfig nc) {
        if (nodes.containsKey(nc.name())) {
            throw new IllegalStateException(nc.name() + " exists");
        }
        Node n = node(nc, NodeRole.REPLICA);
        Map<String, Node> map = new LinkedHashMap<>(nodes);
        map.put(n.name(), n);
        nodes = map;
        rolesChanged();
        return n;
    }

    /**
     * Removes a node that left the cluster (never the primary): no new connection is routed to it;
     * its connections are the caller's to close. Monitor thread.
     */
    public void remove(Node n) {
        if (n == primary) {
            throw new IllegalStateException(n.name() + " is the primary");
        }
        Map<String, Node> map = new LinkedHashMap<>(nodes);
        if (map.remove(n.name(), n)) {
            nodes = map;
            rolesChanged();
        }
    }

    /** Whether reads may go to {@code n} changed (a Patroni tag): the replica list is rebuilt. Monitor thread. */
    public void readsChanged() {
        rolesChanged();
    }

    public String primaryTenant() {
        return primaryTenant;
    }

    /** Every configured node, the first configured primary first. */
    public List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    public Node primary() {
        return primary;
    }

    public Optional<Node> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    /**
     * Nodes that routing may send reads to as replicas: in the replica role, not fenced, and not
     * kept for failover only ({@code replication.replica.<name>.reads=false}).
     */
    public List<Node> replicas() {
        return replicaCache;
    }

    /** The node that serves a tenant: the primary tenant is always the current primary. */
    public Node nodeForTenant(String tenant) {
        if (primaryTenant.equals(tenant)) {
            return primary;
        }
        Node n = nodes.get(readTenantOfConfiguredPrimary.equals(tenant) ? primaryTenant : tenant);
        if (n == null) {
            throw new ReplicationException("Unknown tenant '" + tenant + "': tenants are '" + primaryTenant
                    + "' and the replica names " + nodes.values().stream().filter(x -> x != primary)
                    .map(Node::name).toList());
        }
        return n;
    }

    /**
     * The tenant of a read routed to {@code n} as a replica. It is the node's name, except for the
     * node configured as the primary (its name is the primary tenant, which always means the current
     * primary): once a failover made it a standby, its reads use {@code <name>#read}, a tenant no node
     * name can take ('#' is not allowed in names).
     */
    public String readTenant(Node n) {
        return n.name().equals(primaryTenant) ? readTenantOfConfiguredPrimary : n.name();
    }

    public boolean isReplicaTenant(String tenant) {
        return !primaryTenant.equals(tenant);
    }

    public ClusterStatus status(Instant lastCheck) {
        List<NodeStatus> list = new ArrayList<>();
        for (Node n : nodes.values()) {
            list.add(n.status());
        }
        return new ClusterStatus(primary.name(), list, lastCheck);
    }

    /** The primary's timeline as last seen, -1 unknown. Monitor thread. */
    public long primaryTimeline() {
        return primaryTimeline;
    }

    /** The primary's position at its last good check (kept while it is down), -1 unknown. Monitor thread. */
    public long lastPrimaryLsn() {
        return lastPrimaryLsn;
    }

    /** Records a good check of the current primary. Monitor thread. */
    public void primarySeen(long lsn, long timeline) {
        lastPrimaryLsn = lsn;
        if (primaryTimeline >= 0 && timeline > primaryTimeline && restartedFromTimeline < 0) {
            restartedFromTimeline = primaryTimeline;
        }
        primaryTimeline = Math.max(primaryTimeline, timeline);
    }

    /**
     * The timeline the current primary was on before it came back on a newer one itself (Patroni
     * restarts a crashed leader and promotes it in place), or -1. Standbys still on that older
     * timeline hold a prefix of the primary's own history (nothing a primary never flushed is ever
     * streamed), so they are merely behind, not diverged. Reset when another node becomes the primary.
     * Monitor thread.
     */
    public long restartedFromTimeline() {
        return restartedFromTimeline;
    }

    /** The standby being promoted now, or null: it may report it is a primary before it takes over. */
    public Node promoting() {
        return promoting;
    }

    public void promoting(Node node) {
        this.promoting = node;
    }

    /** A replica that reports it is a primary: no reads, never written to. */
    public void fence(Node n) {
        n.fenced(true);
        rolesChanged();
    }

    /** A fenced node that has re-attached as a standby of the current primary. */
    public void unfence(Node n) {
        n.fenced(false);
        n.routingRole(NodeRole.REPLICA);
        rolesChanged();
    }

    /** Fences the current primary before another node takes over (its health is the caller's). */
    public Node fenceFormerPrimary() {
        Node old = primary;
        old.fenced(true);
        old.routingRole(NodeRole.REPLICA);
        return old;
    }

    /** Makes {@code target} the primary at position {@code lsn} on timeline {@code tli}. */
    public void makePrimary(Node target, long lsn, long tli, Instant now) {
        target.routingRole(NodeRole.PRIMARY);
        target.fenced(false);
        synchronized (target) {
            target.health(Node.Health.primary(lsn, tli, now));
        }
        primaryTimeline = Math.max(primaryTimeline, tli);
        restartedFromTimeline = -1;
        lastPrimaryLsn = lsn;
        primary = target;
        rolesChanged();
    }

    private synchronized void rolesChanged() {
        List<Node> list = new ArrayList<>(nodes.size());
        Node p = primary;
        for (Node n : nodes.values()) {
            if (n != p && !n.fenced() && n.routingRole() == NodeRole.REPLICA && n.readsAllowed()) {
                list.add(n);
            }
        }
        replicaCache = List.copyOf(list);
    }

    @Override
    public void close() {
        for (Node n : nodes.values()) {
            n.connections().close();
        }
    }
}
