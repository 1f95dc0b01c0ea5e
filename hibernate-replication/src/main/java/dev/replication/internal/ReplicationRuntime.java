package dev.replication.internal;

import dev.replication.ClusterStatus;
import dev.replication.ConsistencyToken;
import dev.replication.NodeConfig;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.PrimaryUnavailableException;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationProperty;
import dev.replication.ReplicationException;
import dev.replication.RoutingDecision;
import dev.replication.jmx.ClusterJmx;
import dev.replication.spi.RoutingListener;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Everything one replicated cluster needs at run time: the node pools, the monitor, the router
 * and the listeners. One instance per session factory, created by the connection provider.
 * <p>
 * Thread-safe. Routing reads volatile snapshots only; state changes happen on the monitor thread
 * (or, for {@link #markDown}, under the runtime's lock).
 */
public final class ReplicationRuntime implements AutoCloseable {

    private final ReplicationConfig config;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final String primaryTenant;
    private final Router router;
    private final ClusterMonitor monitor;
    private final List<RoutingListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> primaryChangeHooks = new CopyOnWriteArrayList<>();
    private volatile Node primary;
    /** Minimum spacing of direct replay-position probes of one node (1 ms). */
    static final long PROBE_SPACING_NANOS = 1_000_000L;
    private volatile boolean secondLevelCacheGuard;
    private volatile List<Node> replicaCache;
    private final java.util.concurrent.atomic.AtomicLong committedLsn = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean hasListeners;

    /* monitor-thread state for the primary and failover */
    private int primaryFailures;
    private boolean failoverDone;
    private long lastPrimaryLsn = -1;
    private long primaryTimeline = -1;
    private boolean noReplicaLogged;
    private volatile boolean closed;
    private final ClusterJmx.Registration jmx;

    public ReplicationRuntime(ReplicationConfig config) {
        this.config = config;
        this.primaryTenant = config.primary().name();
        Node p = new Node(config.primary(), NodeRole.PRIMARY, config);
        nodes.put(p.name(), p);
        for (NodeConfig rc : config.replicas()) {
            nodes.put(rc.name(), new Node(rc, NodeRole.REPLICA, config));
        }
        this.primary = p;
        rolesChanged();
        this.router = new Router(this);
        this.monitor = new ClusterMonitor(this);
        for (String listener : config.listeners()) {
            addListener(instantiate(listener));
        }
        Log.LOG.started(p.name(), config.replicas().stream().map(NodeConfig::name).toList(), config.selector(),
                config.consistency(), config.failover());
        monitor.start();
        this.jmx = config.jmxEnabled() ? registerMBean() : null;
    }

    private static RoutingListener instantiate(String className) {
        try {
            ClassLoader cl = Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : ReplicationRuntime.class.getClassLoader();
            return (RoutingListener) Class.forName(className, true, cl).getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            ReplicationConfigurationException ex = new ReplicationConfigurationException("Invalid value '"
                    + className + "' for '" + ReplicationProperty.LISTENERS.key() + "': could not instantiate it: " + e);
            ex.initCause(e);
            throw ex;
        }
    }

    private ClusterJmx.Registration registerMBean() {
        String name = config.jmxName() != null ? config.jmxName() : (config.primary().url() != null ? ClusterJmx.defaultName(config.primary().url()) : config.primary().dataSourceName());
        try {
            ClusterJmx.Registration r = ClusterJmx.register(name, this::status, monitor::checkNow);
            Log.LOG.mbeanRegistered(r.objectName().toString());
            return r;
        } catch (javax.management.JMException | RuntimeException e) {
            Log.LOG.mbeanNotRegistered(name, String.valueOf(e.getMessage()));
            return null;
        }
    }

    /** The name of the cluster status MXBean, empty when JMX is disabled or registration failed. */
    public Optional<javax.management.ObjectName> mbeanName() {
        return jmx == null ? Optional.empty() : Optional.of(jmx.objectName());
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

    /** Nodes that routing may send reads to as replicas: in the replica role and not fenced. */
    List<Node> replicas() {
        return replicaCache;
    }

    /** Recomputes {@link #replicas()}; called on the monitor thread after every role change. */
    private void rolesChanged() {
        List<Node> list = new ArrayList<>(nodes.size());
        Node p = primary;
        for (Node n : nodes.values()) {
            if (n != p && !n.fenced && n.routingRole == NodeRole.REPLICA) {
                list.add(n);
            }
        }
        replicaCache = List.copyOf(list);
    }

    /** The node that serves a tenant: the primary tenant is always the current primary. */
    public Node nodeForTenant(String tenant) {
        if (primaryTenant.equals(tenant)) {
            return primary;
        }
        Node n = nodes.get(tenant);
        if (n == null) {
            throw new ReplicationException("Unknown tenant '" + tenant + "': tenants are '" + primaryTenant
                    + "' and the replica names " + config.replicas().stream().map(NodeConfig::name).toList());
        }
        return n;
    }

    public boolean isReplicaTenant(String tenant) {
        return !primaryTenant.equals(tenant);
    }

    public ClusterStatus status() {
        List<NodeStatus> list = new ArrayList<>();
        for (Node n : nodes.values()) {
            list.add(n.status());
        }
        return new ClusterStatus(primary.name(), list, monitor.lastCheck());
    }

    // ---------------------------------------------------------------- connections

    /** A connection of the current primary for writes. */
    public Connection primaryConnection() throws SQLException {
        Node p = primary;
        if (p.fenced) {
            throw new PrimaryUnavailableException(p.status().describe() + ": the primary is fenced and no new"
                    + " primary is known; writes are refused", null);
        }
        try {
            return p.borrow();
        } catch (SQLException e) {
            throw new PrimaryUnavailableException(p.status().describe() + ": no connection to the primary ("
                    + ClusterMonitor.firstLine(e) + "); failover mode " + config.failover().name().toLowerCase()
                    + (primaryFailures >= config.failoverPrimaryFailures()
                    ? ", primary failed " + primaryFailures + " consecutive checks" : ""), e);
        }
    }

    /** A tracked connection from {@code node}'s pool. */
    public Connection borrow(Node node) throws SQLException {
        return node.borrow();
    }

    /** Wraps a pooled connection so it returns to {@code node}'s pool and, if asked, captures commit tokens. */
    public Connection wrap(Connection c, Node node, boolean captureTokens) {
        return new RoutedConnection(c, this, node, captureTokens);
    }

    /** Publishes a retry after a connection failure. */
    public void retried(String node, String reason) {
        fire(l -> l.readRetried(node, reason));
    }

    /** Releases a connection to the pool it came from. */
    public void release(Node node, Connection c) throws SQLException {
        node.release(c);
    }

    /** Marks a node down now (a request saw its connection fail); the monitor will readmit it. */
    public void markDown(Node node, String reason) {
        synchronized (node) {
            Node.Health h = node.health;
            if (h.up() || h.usable()) {
                node.health = h.down(reason, Instant.now());
                node.probation = node != primary;
                node.goodStreak = 0;
                Log.LOG.nodeDown(node.name(), reason);
                fireNodeState(node.name(), "down", reason);
            }
        }
    }

    /**
     * Queries a node's replayed LSN directly (used when the snapshot is not recent enough for a
     * token). Concurrent waiters share probes: when the node was probed less than
     * {@link #PROBE_SPACING_NANOS} ago, its snapshot (which every probe updates) is answered instead,
     * so the probe load on a replica stays bounded however many reads wait.
     */
    long replayLsn(Node node) throws SQLException {
        long now = System.nanoTime();
        long last = node.lastProbe.get();
        if (now - last < PROBE_SPACING_NANOS || !node.lastProbe.compareAndSet(last, now)) {
            return node.health.lsn();
        }
        Connection c = node.borrow();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
            rs.next();
            String v = rs.getString(1);
            long lsn = v == null ? -1 : ConsistencyToken.parse(v).lsn();
            c.rollback();
            if (lsn >= 0) {
                synchronized (node) {
                    Node.Health h = node.health;
                    if (Long.compareUnsigned(lsn, h.lsn()) > 0 || h.lsn() < 0) {
                        node.health = h.withLsn(lsn);
                    }
                }
            }
            return lsn;
        } finally {
            node.release(c);
        }
    }

    /**
     * The highest primary WAL position known: the monitor's last check, or a commit made through
     * this runtime since. -1 when never seen.
     */
    public long knownPrimaryLsn() {
        long checked = primary.health.lsn();
        long committed = committedLsn.get();
        return Long.compareUnsigned(committed, checked) > 0 && committed != 0 ? committed : checked;
    }

    /** Records a commit position seen on the primary (tokens are never capped below it). */
    void committed(long lsn) {
        committedLsn.accumulateAndGet(lsn, (a, b) -> Long.compareUnsigned(b, a) > 0 ? b : a);
    }

    /**
     * Asks the primary for its current insert position (used before capping a token that is ahead
     * of everything known). Returns the known position when the primary cannot be asked.
     */
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

    long refreshPrimaryLsn() {
        long lsn = primaryInsertLsnOutsideTransaction();
        if (lsn > 0) {
            committed(lsn);
        }
        return knownPrimaryLsn();
    }

    /**
     * The primary's current insert position, asked now on a connection of its own (outside any
     * transaction of the caller's; for a JTA-enlisting data source, call it when no transaction is
     * active on the thread or after one completed), or -1 when the primary cannot be asked.
     */
    long primaryInsertLsnOutsideTransaction() {
        Node p = primary;
        try {
            Connection c = p.borrow();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                long lsn = ConsistencyToken.parse(rs.getString(1)).lsn();
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                return lsn;
            } finally {
                p.release(c);
            }
        } catch (SQLException | RuntimeException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- listeners

    public void addListener(RoutingListener l) {
        listeners.add(l);
        hasListeners = true;
    }

    public void removeListener(RoutingListener l) {
        listeners.remove(l);
        hasListeners = !listeners.isEmpty();
    }

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

    /** Called with the new primary's name after every primary change (the integrator evicts the 2LC). */
    public void onPrimaryChange(Consumer<String> hook) {
        primaryChangeHooks.add(hook);
    }

    public void published(RoutingDecision d) {
        if (hasListeners) {
            for (RoutingListener l : listeners) {
                try {
                    l.routed(d);
                } catch (RuntimeException e) {
                    Log.LOG.listenerFailed(l, e);
                }
            }
        }
    }

    /**
     * Publishes a {@link dev.replication.RoutingReason#NO_SCOPE} decision (a connection taken for a
     * session opened outside any routing scope); allocates nothing when no listener is registered.
     */
    public void publishedNoScope(dev.replication.Intent intent) {
        if (hasListeners) {
            published(router.primary(intent, dev.replication.RoutingReason.NO_SCOPE));
        }
    }

    void fire(Consumer<RoutingListener> event) {
        if (hasListeners) {
            for (RoutingListener l : listeners) {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    Log.LOG.listenerFailed(l, e);
                }
            }
        }
    }

    private void fireNodeState(String node, String state, String reason) {
        fire(l -> l.nodeStateChanged(node, state, reason));
    }

    // ---------------------------------------------------------------- monitor results

    /** Applies one round of checks. Runs on the monitor thread only. */
    void apply(Map<Node, ClusterMonitor.Observation> results, Instant now, ClusterMonitor m) {
        if (closed) {
            return;
        }
        handlePrimary(results, now, m);
        Node p = primary;
        ClusterMonitor.Observation po = results.get(p);
        boolean primaryOk = po != null && po.ok() && po.role() == NodeRole.PRIMARY;
        synchronized (p) {
            Node.Health old = p.health;
            if (primaryOk) {
                p.health = new Node.Health(true, true, NodeRole.PRIMARY, po.lsn(), 0, Duration.ZERO, po.timeline(),
                        -1, null, now);
                if (!old.up() && old.lastCheck() != null) {
                    Log.LOG.nodeUp(p.name(), NodeRole.PRIMARY);
                    fireNodeState(p.name(), "up", null);
                }
            } else {
                String reason = po == null ? "not checked" : po.ok() ? "reports it is in recovery" : po.error();
                p.health = new Node.Health(false, false, po != null && po.ok() ? po.role() : NodeRole.UNKNOWN,
                        old.lsn(), -1, null, old.timeline(), -1, reason, now);
                if (old.up()) {
                    Log.LOG.nodeDown(p.name(), reason);
                    fireNodeState(p.name(), "down", reason);
                }
                p.abortInUse(m.executor());
            }
        }
        int usable = 0;
        StringBuilder why = new StringBuilder();
        for (Node n : nodes.values()) {
            if (n == p) {
                continue;
            }
            applyReplica(n, results.get(n), now, m);
            if (n.health.usable()) {
                usable++;
            } else if (n.routingRole == NodeRole.REPLICA || n.fenced) {
                why.append(why.length() == 0 ? "" : "; ").append(n.name()).append(": ")
                        .append(n.health.excludedReason());
            }
        }
        if (usable == 0 && !config.replicas().isEmpty()) {
            if (!noReplicaLogged) {
                noReplicaLogged = true;
                Log.LOG.noReplicaFallback(why.toString());
            }
        } else if (noReplicaLogged) {
            noReplicaLogged = false;
            Log.LOG.replicasBack();
        }
    }

    private void applyReplica(Node n, ClusterMonitor.Observation o, Instant now, ClusterMonitor m) {
        synchronized (n) {
            Node.Health old = n.health;
            if (o == null || !o.ok()) {
                String reason = o == null ? "not checked" : o.error();
                n.health = old.down(reason, now);
                n.goodStreak = 0;
                n.badStreak++;
                n.probation = true;
                if (old.up() || old.lastCheck() == null) {
                    Log.LOG.nodeDown(n.name(), reason);
                    fireNodeState(n.name(), "down", reason);
                }
                // every round, not only on the transition: a request may have picked the node just
                // before it was marked down and be blocked on it now
                n.abortInUse(m.executor());
                return;
            }
            n.badStreak = 0;
            if (!old.up() && old.lastCheck() != null) {
                Log.LOG.nodeUp(n.name(), o.role());
                fireNodeState(n.name(), "up", null);
            }
            long primaryLsn = primary.health.lsn() >= 0 ? primary.health.lsn() : lastPrimaryLsn;
            long lagBytes = -1;
            Duration lag = null;
            String exclusion = null;
            if (o.role() == NodeRole.PRIMARY) {
                if (!n.fenced) {
                    n.fenced = true;
                    rolesChanged();
                    Log.LOG.fencedNodeSeen(n.name(), o.timeline(), primary.name(), primaryTimeline);
                    fireNodeState(n.name(), "fenced", "reports not in recovery");
                }
                exclusion = "fenced: reports not in recovery (timeline " + o.timeline() + ") while '" + primary.name()
                        + "' is the primary";
            } else {
                if (n.fenced) {
                    if (primaryTimeline < 0 || o.timeline() >= primaryTimeline) {
                        n.fenced = false;
                        n.routingRole = NodeRole.REPLICA;
                        rolesChanged();
                        n.probation = true;
                        n.goodStreak = 0;
                        Log.LOG.unfenced(n.name(), primary.name());
                        fireNodeState(n.name(), "unfenced", null);
                    } else {
                        exclusion = "fenced: old primary, not yet re-attached to '" + primary.name() + "'";
                    }
                }
                if (exclusion == null && primaryTimeline >= 0 && o.timeline() >= 0 && o.timeline() < primaryTimeline) {
                    exclusion = "follows an old primary (timeline " + o.timeline() + " < " + primaryTimeline + ")";
                    if (old.excludedReason() == null || !old.excludedReason().startsWith("follows")) {
                        Log.LOG.replicaOnOldPrimary(n.name(), primary.name());
                    }
                }
                if (exclusion == null) {
                    if (primaryLsn < 0 || o.lsn() < 0) {
                        exclusion = "lag unknown (" + (primaryLsn < 0 ? "primary position never seen" : "no replay position")
                                + ")";
                    } else {
                        lagBytes = Math.max(0, primaryLsn - o.lsn());
                        lag = m.timeLag(o.lsn(), primaryLsn, now);
                        if (lag.compareTo(config.maxLag()) > 0) {
                            exclusion = "lag " + lag.toMillis() + "ms > max " + config.maxLag().toMillis() + "ms";
                        } else if (config.maxLagBytes() > 0 && lagBytes > config.maxLagBytes()) {
                            exclusion = "lag " + lagBytes + " bytes > max " + config.maxLagBytes() + " bytes";
                        }
                    }
                }
            }
            boolean usable;
            if (exclusion != null) {
                n.goodStreak = 0;
                n.probation = true;
                usable = false;
            } else {
                n.goodStreak++;
                if (n.probation && n.goodStreak >= config.readmitAfter()) {
                    n.probation = false;
                    if (old.lastCheck() != null && n.lastExclusion != null) {
                        Log.LOG.replicaReadmitted(n.name(), n.goodStreak);
                        fireNodeState(n.name(), "readmitted", null);
                    }
                }
                if (old.lastCheck() == null) {
                    n.probation = false;
                }
                usable = !n.probation;
                if (n.probation) {
                    exclusion = "on probation: " + n.goodStreak + " of " + config.readmitAfter()
                            + " good checks after: " + n.lastExclusion;
                }
            }
            if (exclusion != null && !exclusion.startsWith("on probation")) {
                if (old.usable() || !exclusion.equals(n.lastExclusion) && (n.lastExclusion == null
                        || !sameKind(exclusion, n.lastExclusion))) {
                    Log.LOG.replicaExcluded(n.name(), exclusion);
                    fireNodeState(n.name(), "excluded", exclusion);
                }
                n.lastExclusion = exclusion;
            }
            n.health = new Node.Health(true, usable, o.role(), o.lsn(), lagBytes, lag, o.timeline(), o.upstreamPort(),
                    usable ? null : exclusion, now);
        }
    }

    private static boolean sameKind(String a, String b) {
        int ia = a.indexOf(' ');
        int ib = b.indexOf(' ');
        return ia > 0 && ib > 0 && a.substring(0, ia).equals(b.substring(0, ib));
    }

    private void handlePrimary(Map<Node, ClusterMonitor.Observation> results, Instant now, ClusterMonitor m) {
        Node p = primary;
        ClusterMonitor.Observation po = results.get(p);
        boolean ok = po != null && po.ok() && po.role() == NodeRole.PRIMARY && !p.fenced;
        if (ok) {
            primaryFailures = 0;
            failoverDone = false;
            lastPrimaryLsn = po.lsn();
            primaryTimeline = Math.max(primaryTimeline, po.timeline());
            m.recordPrimaryPosition(po.lsn(), now);
            return;
        }
        primaryFailures++;
        String reason = po == null ? "not checked" : po.ok() ? "reports it is in recovery" : po.error();
        if (primaryFailures == config.failoverPrimaryFailures()) {
            Log.LOG.primaryDown(p.name(), primaryFailures, reason);
            fire(l -> l.nodeStateChanged(p.name(), "primary-failed", reason));
        }
        switch (config.failover()) {
            case MANUAL -> { }
            case PROMOTE -> {
                if (primaryFailures >= config.failoverPrimaryFailures() && !failoverDone) {
                    failoverDone = true;
                    promoteBest(results, m, now);
                }
            }
            case DISCOVER -> discover(results, now, m);
        }
    }

    private void discover(Map<Node, ClusterMonitor.Observation> results, Instant now, ClusterMonitor m) {
        Node old = primary;
        results.entrySet().stream()
                .filter(e -> e.getKey() != old && e.getValue().ok() && e.getValue().role() == NodeRole.PRIMARY)
                .max(Comparator.comparingLong(e -> e.getValue().timeline()))
                .filter(e -> e.getValue().timeline() >= primaryTimeline)
                .ifPresent(e -> {
                    switchPrimary(e.getKey(), e.getValue().lsn(), e.getValue().timeline(), now, m);
                    Log.LOG.followingPrimary(e.getKey().name(), e.getValue().timeline(), old.name());
                    fire(l -> l.primaryChanged(old.name(), e.getKey().name(), false));
                });
    }

    private void promoteBest(Map<Node, ClusterMonitor.Observation> results, ClusterMonitor m, Instant now) {
        Node old = primary;
        Optional<Map.Entry<Node, ClusterMonitor.Observation>> best = results.entrySet().stream()
                .filter(e -> e.getKey() != old && !e.getKey().fenced && e.getValue().ok()
                        && e.getValue().role() == NodeRole.REPLICA && e.getValue().lsn() >= 0
                        && (primaryTimeline < 0 || e.getValue().timeline() >= primaryTimeline))
                .max((a, b) -> Long.compareUnsigned(a.getValue().lsn(), b.getValue().lsn()));
        if (best.isEmpty()) {
            Log.LOG.promotionFailed("-", "no healthy standby to promote");
            failoverDone = false;
            return;
        }
        promote(best.get().getKey(), m, now);
    }

    /**
     * Promotes {@code target} with {@code pg_promote()} and routes writes to it once it has left
     * recovery. Runs on the monitor thread, or on an operator's thread for a manual promotion.
     */
    public synchronized void promote(Node target, ClusterMonitor m, Instant now) {
        Node old = primary;
        if (target == old && !old.fenced) {
            throw new ReplicationException(target.name() + " is already the primary");
        }
        long replayed = target.health.lsn();
        long behind = lastPrimaryLsn >= 0 && replayed >= 0 ? Math.max(0, lastPrimaryLsn - replayed) : -1;
        Log.LOG.promotionStarted(target.name(), lsnText(replayed), behind, lsnText(lastPrimaryLsn));
        fire(l -> l.nodeStateChanged(target.name(), "promoting", null));
        long start = System.nanoTime();
        long timeoutSeconds = Math.max(1, config.failoverPromoteTimeout().toSeconds());
        try (Connection c = target.openDirect(); Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = 0");
            try {
                st.execute("SELECT pg_wal_replay_resume()");
            } catch (SQLException ignored) {
                // not paused, or not in recovery any more
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_promote(true, " + timeoutSeconds + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SQLException("pg_promote() did not finish within " + timeoutSeconds + "s");
                }
            }
            long lsn;
            long tli;
            try (ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_current_wal_lsn()::text,"
                    + " ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new SQLException("still in recovery after pg_promote()");
                }
                lsn = ConsistencyToken.parse(rs.getString(2)).lsn();
                tli = rs.getLong(3);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            long lost = behind;
            switchPrimary(target, lsn, tli, now, m);
            Log.LOG.promoted(target.name(), lsnText(lsn), tli, millis, old.name(), lost);
            fire(l -> l.primaryChanged(old.name(), target.name(), true));
        } catch (SQLException | RuntimeException e) {
            Log.LOG.promotionFailed(target.name(), ClusterMonitor.firstLine(e));
            failoverDone = false;
            throw new ReplicationException(target.name() + ": promotion failed: " + ClusterMonitor.firstLine(e), e);
        }
    }

    private void switchPrimary(Node target, long lsn, long tli, Instant now, ClusterMonitor m) {
        Node old = primary;
        old.fenced = true;
        old.routingRole = NodeRole.REPLICA;
        synchronized (old) {
            old.health = old.health.down("fenced: former primary", now);
            old.probation = true;
        }
        old.abortInUse(m.executor());
        target.routingRole = NodeRole.PRIMARY;
        target.fenced = false;
        synchronized (target) {
            target.health = new Node.Health(true, true, NodeRole.PRIMARY, lsn, 0, Duration.ZERO, tli, -1, null, now);
        }
        primaryTimeline = Math.max(primaryTimeline, tli);
        lastPrimaryLsn = lsn;
        primaryFailures = 0;
        primary = target;
        rolesChanged();
        m.recordPrimaryPosition(lsn, now);
        for (Consumer<String> hook : primaryChangeHooks) {
            try {
                hook.accept(target.name());
            } catch (RuntimeException e) {
                Log.LOG.listenerFailed(hook, e);
            }
        }
    }

    static String lsnText(long lsn) {
        return lsn < 0 ? "unknown" : new ConsistencyToken(lsn).toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (jmx != null) {
            try {
                jmx.close();
            } catch (RuntimeException e) {
                Log.LOG.mbeanNotRegistered(jmx.objectName().toString(), String.valueOf(e.getMessage()));
            }
        }
        monitor.close();
        for (Node n : nodes.values()) {
            n.close();
        }
        Log.LOG.stopped();
    }
}
