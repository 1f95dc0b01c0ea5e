package dev.replication.internal;

import dev.replication.ClusterStatus;
import dev.replication.Intent;
import dev.replication.ReplicationConfig;
import dev.replication.RoutingDecision;
import dev.replication.RoutingReason;
import dev.replication.internal.cluster.ClusterTopology;
import dev.replication.internal.cluster.PatroniMembers;
import dev.replication.internal.connection.ConnectionLender;
import dev.replication.internal.connection.DataSourceConnectionSource;
import dev.replication.internal.failover.PrimaryFailover;
import dev.replication.internal.health.ClusterMonitor;
import dev.replication.internal.health.HealthPolicy;
import dev.replication.internal.health.Observation;
import dev.replication.internal.observe.EventPublisher;
import dev.replication.internal.observe.MBeanRegistration;
import dev.replication.spi.RoutingListener;

import javax.management.ObjectName;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

// Slightly over ~300 lines: the one object the Hibernate glue and integrations talk to; each method
// delegates to the part that does the work.
/**
 * Everything one replicated cluster needs at run time, wired together: the topology, connection
 * lending, the monitor with its health and failover policies, the router, replay positions and
 * the event publisher. One instance per session factory, created by the connection provider.
 * The work is done by those parts; this class builds them, hands each round of checks to failover
 * then health, and gives the Hibernate glue one object to talk to.
 * <p>
 * Thread-safe. Routing reads volatile snapshots only; state changes happen on the monitor thread
 * (or, for {@link #markDown}, under the node's lock).
 */
public final class ReplicationRuntime implements AutoCloseable {

    private final ReplicationConfig config;
    private final ClusterTopology topology;
    private final EventPublisher events = new EventPublisher();
    private final ReadAfterWrite positions;
    private final ClusterMonitor monitor;
    private final HealthPolicy health;
    private final PrimaryFailover failover;
    private final ConnectionLender lender;
    private final Router router;
    private final MBeanRegistration jmx;
    /** Null unless {@code replication.topology=patroni}. */
    private final PatroniMembers patroni;
    private volatile boolean secondLevelCacheGuard;
    private volatile JtaCommits jta;
    private volatile boolean closed;

    public ReplicationRuntime(ReplicationConfig config) {
        this.config = config;
        if (config.topology() == ReplicationConfig.Topology.PATRONI) {
            this.patroni = PatroniMembers.connect(config);
            this.topology = patroni.topology(DataSourceConnectionSource::forNode);
        } else {
            this.patroni = null;
            this.topology = new ClusterTopology(config, DataSourceConnectionSource::forNode);
        }
        this.positions = new ReadAfterWrite(topology, events, () -> jta);
        this.monitor = new ClusterMonitor(config, topology::nodes, this::apply);
        this.health = new HealthPolicy(config, topology, monitor, events);
        this.failover = new PrimaryFailover(config, topology, monitor, health, events, positions::acknowledgedLsn,
                patroni == null ? null : patroni::leaderName);
        this.lender = new ConnectionLender(config, topology, failover::consecutiveFailures,
                new ConnectionLender.Callbacks() {
                    @Override
                    public void connectionLost(Node node, String reason) {
                        markDown(node, reason);
                    }

                    @Override
                    public void connectionFailed(Node node, Throwable e) {
                        ReplicationRuntime.this.connectionFailed(node, e);
                    }

                    @Override
                    public void committed(long lsn) {
                        positions.committed(lsn);
                    }
                });
        this.router = new Router(this);
        events.addConfigured(config.listeners());
        Log.LOG.started(topology.primary().name(), topology.nodes().stream().skip(1).map(Node::name).toList(),
                config.selector(), config.consistency(), config.failover());
        monitor.start();
        if (patroni != null) {
            patroni.start(topology, new PatroniMembers.Membership() {
                @Override
                public void added(Node n) {
                    health.nodeAdded(n);
                    events.nodeState(n.name(), "added", "Patroni member");
                }

                @Override
                public void removed(Node n) {
                    monitor.forget(n);
                    health.nodeRemoved(n);
                    failover.nodeRemoved(n);
                    events.nodeState(n.name(), "removed", "no longer a Patroni member");
                }
            }, monitor::execute);
        }
        this.jmx = MBeanRegistration.register(config, this::status, monitor::checkNow);
    }

    /** Applies one round of checks: failover first (it may change the primary), then health. Monitor thread. */
    private void apply(Map<Node, Observation> results, Instant now) {
        if (closed) {
            return;
        }
        if (patroni != null) {
            patroni.vetPrimary(topology.primary(), results);
        }
        failover.afterRound(results, now);
        health.apply(results, now);
    }

    /** The name of the cluster status MXBean, empty when JMX is disabled or registration failed. */
    public Optional<ObjectName> mbeanName() {
        return jmx.objectName();
    }

    public ReplicationConfig config() {
        return config;
    }

    public Router router() {
        return router;
    }

    public ClusterMonitor monitor() {
        return monitor;
    }

    public String primaryTenant() {
        return topology.primaryTenant();
    }

    /** Every configured node, the first configured primary first. */
    public List<Node> nodes() {
        return topology.nodes();
    }

    public Node primary() {
        return topology.primary();
    }

    public Optional<Node> node(String name) {
        return topology.node(name);
    }

    /** Nodes that routing may send reads to as replicas: in the replica role and not fenced. */
    List<Node> replicas() {
        return topology.replicas();
    }

    /** The node that serves a tenant: the primary tenant is always the current primary. */
    public Node nodeForTenant(String tenant) {
        return topology.nodeForTenant(tenant);
    }

    /** The tenant of a read routed to {@code n} as a replica (see {@link ClusterTopology#readTenant}). */
    public String readTenant(Node n) {
        return topology.readTenant(n);
    }

    public boolean isReplicaTenant(String tenant) {
        return topology.isReplicaTenant(tenant);
    }

    public ClusterStatus status() {
        return topology.status(monitor.lastCheck());
    }

    // ---------------------------------------------------------------- connections

    /** A connection of the current primary for writes. */
    public Connection primaryConnection() throws SQLException {
        return lender.primaryConnection(null);
    }

    /** A connection of the current primary for writes, to {@code database} on its server ({@code null}: the node's own). */
    public Connection primaryConnection(String database) throws SQLException {
        return lender.primaryConnection(database);
    }

    /** A connection for metadata and schema tooling: the primary's, else a replica's, read-only (see {@link ConnectionLender#anyConnection()}). */
    public Connection anyConnection() throws SQLException {
        return lender.anyConnection();
    }

    /** A tracked connection from {@code node}'s pool. */
    public Connection borrow(Node node) throws SQLException {
        return lender.borrow(node, null);
    }

    /** A tracked connection from {@code node}'s pool to {@code database} on its server ({@code null}: the node's own). */
    public Connection borrow(Node node, String database) throws SQLException {
        return lender.borrow(node, database);
    }

    /** Wraps a pooled connection so it returns to {@code node}'s pool and, if asked, captures commit tokens. */
    public Connection wrap(Connection c, Node node, boolean captureTokens) {
        return lender.wrap(c, node, captureTokens);
    }

    /** Marks a node down now (a request saw its connection fail); the monitor will readmit it. */
    public void markDown(Node node, String reason) {
        health.markDown(node, reason);
    }

    /**
     * A request's connection to {@code node} failed with {@code e}: when it is the primary's and
     * the failure is hard (refused, reset), the primary is checked again at once.
     */
    public void connectionFailed(Node node, Throwable e) {
        if (node == topology.primary() && Failures.isHardConnectionFailure(e)) {
            failover.primaryFailedHard();
        }
    }

    // ---------------------------------------------------------------- read-after-write positions

    /** Positions behind read-after-write tokens (primary, replicas, pending JTA commits). */
    public ReadAfterWrite positions() {
        return positions;
    }

    /**
     * Whether reads may ever go to a replica, so that commits need tokens: replicas are
     * configured, or they come and go with Patroni's members.
     */
    public boolean mayHaveReplicas() {
        return patroni != null || !config.replicas().isEmpty();
    }

    /** Whether {@code node} answers now, on a connection of its own (outside the caller's transaction). */
    public boolean reachable(Node node) {
        try {
            Connection c = node.borrow();
            try {
                return c.isValid(Math.max(1, (int) config.monitorTimeout().toSeconds()));
            } finally {
                node.release(c);
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    static String lsnText(long lsn) {
        return dev.replication.internal.consistency.ReplayPositions.lsnText(lsn);
    }

    // ---------------------------------------------------------------- events

    public void addListener(RoutingListener l) {
        events.add(l);
    }

    public void removeListener(RoutingListener l) {
        events.remove(l);
    }

    /** Called with the new primary's name after every primary change (the integrator evicts the 2LC). */
    public void onPrimaryChange(Consumer<String> hook) {
        events.onPrimaryChange(hook);
    }

    public void published(RoutingDecision d) {
        events.routed(d);
    }

    /**
     * Publishes a {@link RoutingReason#NO_SCOPE} decision (a connection taken for a session opened
     * outside any routing scope); allocates nothing when no listener is registered.
     */
    public void publishedNoScope(Intent intent) {
        if (events.active()) {
            published(router.primary(intent, RoutingReason.NO_SCOPE));
        }
    }

    /** Publishes a retry after a connection failure. */
    public void retried(String node, String reason) {
        events.fire(l -> l.readRetried(node, reason));
    }

    void fire(Consumer<RoutingListener> event) {
        events.fire(event);
    }

    // ---------------------------------------------------------------- JTA

    /** Called by the connection provider of a JTA unit. */
    public void useJta(JtaCommits commits) {
        this.jta = commits;
    }

    /** The JTA support of a JTA unit, or {@code null} for a resource-local one. */
    public JtaCommits jta() {
        return jta;
    }

    // ---------------------------------------------------------------- second-level cache

    /**
     * The session factory has a second-level cache: sessions of the primary's tenant must not read
     * on replicas (what they load would be cached as the primary's data).
     */
    public void guardSecondLevelCache() {
        if (!secondLevelCacheGuard) {
            secondLevelCacheGuard = true;
            if (config.readOnlySessionsOnReplica() && !config.replicas().isEmpty()) {
                Log.LOG.readOnlySessionsOnPrimary();
            }
        }
    }

    public boolean secondLevelCacheGuard() {
        return secondLevelCacheGuard;
    }

    // ---------------------------------------------------------------- failover

    /**
     * Promotes {@code target} now and routes writes to it (an operator's promotion); waits for it.
     * The promotion runs on the failover thread, the switch on the monitor thread.
     */
    public void promote(Node target) {
        failover.promote(target);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        jmx.close();
        if (patroni != null) {
            patroni.close();
        }
        failover.close();
        monitor.close();
        topology.close();
        Log.LOG.stopped();
    }
}
