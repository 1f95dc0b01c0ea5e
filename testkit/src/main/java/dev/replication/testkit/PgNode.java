package dev.replication.testkit;

import dev.replication.testkit.internal.Poll;
import dev.replication.testkit.internal.Signals;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One PostgreSQL server of a {@link PgCluster}: a local {@code postgres} process on 127.0.0.1 with
 * its own data directory. Nodes are named {@code node1} (the initial primary), {@code node2}, ...
 * Methods that change the process (kill, suspend, stop, start, promote) act on the real process
 * tree and wait, with deadlines, until the change has happened.
 */
public final class PgNode {
    /** The role the cluster has configured for a node. */
    public enum Role {
        /** The current primary. */
        PRIMARY,
        /** A streaming replica (standby). */
        REPLICA,
        /** Neither: a former primary after a promotion, until it is re-attached. */
        DETACHED
    }

    private static final String HOST = "127.0.0.1";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final PgCluster cluster;
    private final String name;
    private final Path nodeDir;
    private final Path dataDir;
    private final Path logFile;
    private volatile int port;
    private volatile Process process;
    private volatile Role role;
    private volatile PgNode upstream;
    private volatile boolean suspended;
    private volatile List<Long> suspendedPids = List.of();
    private volatile long launchLogOffset;

    PgNode(PgCluster cluster, String name, Path nodeDir, int port, Role role) {
        this.cluster = cluster;
        this.name = name;
        this.nodeDir = nodeDir;
        this.dataDir = nodeDir.resolve("data");
        this.logFile = nodeDir.resolve("postgres.log");
        this.port = port;
        this.role = role;
    }

    /** @return the node name, e.g. {@code node2} */
    public String name() {
        return name;
    }

    /** @return the host the server listens on: {@code 127.0.0.1} */
    public String host() {
        return HOST;
    }

    /** @return the TCP port (stable across stop/start) */
    public int port() {
        return port;
    }

    /** @return a JDBC URL for database {@code postgres} (user and password are not in it) */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /**
     * @param database a database name
     * @return a JDBC URL for that database (user and password are not in it)
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /** @return the data directory */
    public Path dataDir() {
        return dataDir;
    }

    /** @return the server log file (stdout and stderr of the server) */
    public Path logFile() {
        return logFile;
    }

    /** @return the role the cluster has configured for this node */
    public Role role() {
        return role;
    }

    /** @return the node this replica was configured to stream from, if it is a replica */
    public Optional<PgNode> upstream() {
        return Optional.ofNullable(role == Role.REPLICA ? upstream : null);
    }

    /** @return the postmaster pid while the server runs */
    public OptionalLong pid() {
        long pid = postmasterPid();
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** @return whether the server process is alive (a suspended server is alive) */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** @return whether the server was suspended with {@link #suspend()} and not resumed */
    public boolean isSuspended() {
        return suspended;
    }

    /**
     * Asks the server whether it is in recovery (a standby).
     *
     * @return {@code pg_is_in_recovery()}
     */
    public boolean isInRecovery() {
        return queryBoolean("SELECT pg_is_in_recovery()", "isInRecovery");
    }

    /**
     * Opens a connection as the superuser to database {@code postgres}.
     *
     * @return a new connection; the caller closes it
     * @throws SQLException if the server cannot be reached
     */
    public Connection connect() throws SQLException {
        return connect("postgres");
    }

    /**
     * Opens a connection as the superuser to a database.
     *
     * @param database the database
     * @return a new connection; the caller closes it
     * @throws SQLException if the server cannot be reached
     */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        return open(jdbcUrl(database), p);
    }

    /** Pauses WAL replay ({@code pg_wal_replay_pause()}); received WAL is not applied until resumed. */
    public void pauseReplay() {
        execute("SELECT pg_wal_replay_pause()", "pauseReplay");
    }

    /** Resumes WAL replay ({@code pg_wal_replay_resume()}). */
    public void resumeReplay() {
        execute("SELECT pg_wal_replay_resume()", "resumeReplay");
    }

    /**
     * Sets {@code recovery_min_apply_delay} (ALTER SYSTEM and reload) and waits until the server
     * uses it.
     *
     * @param delay the delay; {@link Duration#ZERO} clears it
     */
    public void setApplyDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException(name + ": apply delay must not be negative: " + delay);
        }
        long ms = delay.toMillis();
        execute(ms == 0 ? "ALTER SYSTEM RESET recovery_min_apply_delay"
                : "ALTER SYSTEM SET recovery_min_apply_delay = '" + ms + "ms'", "setApplyDelay");
        execute("SELECT pg_reload_conf()", "setApplyDelay");
        String[] seen = {"?"};
        Poll.until(Duration.ofSeconds(10), () -> {
            try (Connection c = internalConnection(2, 5); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'")) {
                rs.next();
                seen[0] = rs.getString(1);
                return Long.parseLong(seen[0]) == ms ? Boolean.TRUE : null;
            }
        }, () -> name + ": recovery_min_apply_delay not applied (want " + ms + " ms, server says " + seen[0] + ")");
    }

    /**
     * Simulates a crash: SIGKILL to the postmaster and all its child processes, then waits until
     * they are gone. No-op if the server is not running.
     */
    public synchronized void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            process = null;
            return;
        }
        List<Long> tree = new ArrayList<>(Signals.tree(postmasterPid()));
        tree.addAll(suspendedPids);
        tree.add(p.pid());
        Signals.send("KILL", tree);
        Signals.awaitGone(name + ": kill", tree, Duration.ofSeconds(20));
        waitExit(p, Duration.ofSeconds(5));
        Signals.releaseSharedMemory(dataDir);
        process = null;
        suspended = false;
        suspendedPids = List.of();
    }

    /**
     * Simulates a hung server: SIGSTOP to the postmaster and all its descendants. Connections to
     * it then hang (TCP connects may still be accepted by the kernel). Undo with
     * {@link #resumeProcess()}.
     */
    public synchronized void suspend() {
        requireRunning("suspend");
        long pm = postmasterPid();
        Signals.send("STOP", List.of(pm));
        List<Long> tree = Signals.tree(pm);
        Signals.send("STOP", tree);
        suspendedPids = tree;
        suspended = true;
    }

    /** Resumes a suspended server: SIGCONT to the postmaster and all its descendants. */
    public synchronized void resumeProcess() {
        Set<Long> all = new LinkedHashSet<>(suspendedPids);
        long pm = postmasterPid();
        if (pm > 0) {
            all.addAll(Signals.tree(pm));
        }
        Process p = process;
        if (p != null) {
            all.add(p.pid()); // a runuser wrapper stops itself when its child stops
        }
        Signals.send("CONT", new ArrayList<>(all));
        suspended = false;
        suspendedPids = List.of();
    }

    /**
     * Stops the server cleanly (fast shutdown: SIGINT) and waits until its processes are gone.
     * No-op if it is not running.
     */
    public synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            process = null;
            return;
        }
        if (suspended) {
            resumeProcess();
        }
        long pm = postmasterPid();
        List<Long> tree = Signals.tree(pm);
        Signals.send("INT", List.of(pm));
        if (!waitExit(p, STOP_TIMEOUT)) {
            kill();
            throw new PgClusterException(name + ": did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s after SIGINT; killed it. Log tail:\n" + logTail());
        }
        Signals.awaitGone(name + ": stop", tree, Duration.ofSeconds(20));
        process = null;
    }

    /**
     * Starts the server again with the same data directory and port (after {@link #stop()} or
     * {@link #kill()}, which then means crash recovery), and waits until it accepts connections.
     * No-op if it is running. A replica resumes streaming from its upstream; a former primary
     * starts as a primary again (use {@link PgCluster#reattach(PgNode)} to make it a replica).
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        launch();
        awaitStarted(cluster.startTimeout(), false, false);
    }

    /**
     * Promotes this replica: resumes replay if paused, {@code pg_promote(true)}, waits until it
     * is out of recovery, and makes it the cluster's {@link PgCluster#primary()}. The former
     * primary becomes {@link Role#DETACHED}; other replicas keep following the former primary
     * until {@link PgCluster#reattach(PgNode) re-attached}.
     */
    public void promote() {
        cluster.promote(this);
    }

    void doPromote() {
        requireRunning("promote");
        try (Connection c = internalConnection(5, 90); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_is_wal_replay_paused()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new PgClusterException(name + ": cannot promote, not in recovery (role " + role + ")");
                }
                if (rs.getBoolean(2)) {
                    st.execute("SELECT pg_wal_replay_resume()");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT pg_promote(true, 60)")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new PgClusterException(name + ": pg_promote returned false (not promoted within 60 s)");
                }
            }
        } catch (SQLException e) {
            throw new PgClusterException(name + ": promote failed: " + e.getMessage(), e);
        }
        Poll.until(Duration.ofSeconds(60), () -> {
            try (Connection c = internalConnection(2, 5); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                return rs.getBoolean(1) ? null : Boolean.TRUE;
            }
        }, () -> name + ": still in recovery after pg_promote");
    }

    // ---- package-private machinery used by PgCluster ----

    Path nodeDir() {
        return nodeDir;
    }

    void setPort(int port) {
        this.port = port;
    }

    void setRole(Role role, PgNode upstream) {
        this.role = role;
        this.upstream = upstream;
    }

    PgNode rawUpstream() {
        return upstream;
    }

    long postmasterPid() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return -1;
        }
        if (cluster.account().execs()) {
            return p.pid();
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            if (Signals.alive(pid)) {
                return pid;
            }
        } catch (Exception ignored) {
            // not written yet
        }
        return p.toHandle().children().findFirst().map(ProcessHandle::pid).orElse(p.pid());
    }

    synchronized void launch() {
        if (isRunning()) {
            throw new PgClusterException(name + ": already running (pid " + postmasterPid() + ")");
        }
        removeStalePidFile();
        List<String> cmd = cluster.account().wrap(List.of(cluster.binaries().postgres().toString(), "-D", dataDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(nodeDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        try {
            launchLogOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
            process = pb.start();
        } catch (IOException e) {
            throw new PgClusterException(name + ": cannot launch " + cmd + ": " + e, e);
        }
    }

    /**
     * Waits until the launched server accepts connections (and, if {@code streaming}, its WAL
     * receiver streams). If the port was taken meanwhile and {@code allowNewPort}, retries on a
     * new port.
     */
    synchronized void awaitStarted(Duration timeout, boolean streaming, boolean allowNewPort) {
        for (int attempt = 0;; attempt++) {
            try {
                waitReady(timeout, streaming);
                return;
            } catch (PgClusterException e) {
                Process p = process;
                if (allowNewPort && attempt < 3 && p != null && !p.isAlive() && logSinceLaunch().contains("Address already in use")) {
                    setPort(dev.replication.testkit.internal.Ports.free());
                    cluster.writeServerFiles(this);
                    launch();
                    continue;
                }
                throw e;
            }
        }
    }

    private void waitReady(Duration timeout, boolean streaming) {
        Process p = process;
        String[] state = {"not accepting connections"};
        Poll.until(timeout, () -> {
            if (!p.isAlive()) {
                throw new PgClusterException(name + ": server exited with code " + p.exitValue()
                        + " while starting (port " + port + "). Log:\n" + logSinceLaunch());
            }
            try (Connection c = internalConnection(1, 5); Statement st = c.createStatement()) {
                if (!streaming) {
                    return Boolean.TRUE;
                }
                try (ResultSet rs = st.executeQuery("SELECT status FROM pg_stat_wal_receiver")) {
                    String status = rs.next() ? rs.getString(1) : "no wal receiver";
                    state[0] = "wal receiver: " + status;
                    return "streaming".equals(status) ? Boolean.TRUE : null;
                }
            } catch (SQLException e) {
                state[0] = e.getMessage();
                return null;
            }
        }, () -> name + ": not ready on port " + port + " (" + state[0] + "). Log tail:\n" + logTail());
    }

    /** For close: SIGCONT if suspended, then SIGQUIT (immediate shutdown). @return the pids to wait for */
    synchronized List<Long> beginImmediateShutdown() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return List.of();
        }
        long pm = postmasterPid();
        List<Long> tree = new ArrayList<>(Signals.tree(pm));
        tree.addAll(suspendedPids);
        tree.add(p.pid());
        if (suspended) {
            Signals.send("CONT", tree);
            suspended = false;
        }
        Signals.send("QUIT", List.of(pm));
        return tree;
    }

    synchronized void forget() {
        process = null;
    }

    Connection internalConnection(int connectTimeoutSec, int socketTimeoutSec) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        p.setProperty("connectTimeout", Integer.toString(connectTimeoutSec));
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSec));
        p.setProperty("ApplicationName", "testkit");
        return open(jdbcUrl(), p);
    }

    private static Connection open(String url, Properties p) throws SQLException {
        Connection c = new org.postgresql.Driver().connect(url, p);
        if (c == null) {
            throw new SQLException("pgjdbc did not accept " + url);
        }
        return c;
    }

    private void execute(String sql, String what) {
        requireRunning(what);
        try (Connection c = internalConnection(5, 60); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new PgClusterException(name + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    private boolean queryBoolean(String sql, String what) {
        requireRunning(what);
        try (Connection c = internalConnection(5, 60); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw new PgClusterException(name + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    private void requireRunning(String what) {
        if (!isRunning()) {
            throw new PgClusterException(name + ": " + what + ": server is not running (role " + role + ")");
        }
        if (suspended) {
            throw new PgClusterException(name + ": " + what + ": server is suspended (SIGSTOP); resumeProcess() first");
        }
    }

    private void removeStalePidFile() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (Files.isRegularFile(pidFile)) {
                long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                if (!Signals.alive(pid)) {
                    Files.deleteIfExists(pidFile);
                }
            }
        } catch (Exception ignored) {
            // postgres itself copes with a stale lock file in most cases
        }
    }

    private static boolean waitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgClusterException("interrupted while waiting for a server to exit", e);
        }
    }

    private String logSinceLaunch() {
        return readLog(launchLogOffset, 8000);
    }

    String logTail() {
        try {
            long size = Files.exists(logFile) ? Files.size(logFile) : 0;
            return readLog(Math.max(0, size - 3000), 3000);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private String readLog(long from, int max) {
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long len = Math.min(max, Math.max(0, f.length() - from));
            byte[] b = new byte[(int) len];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "PgNode[" + name + ", port=" + port + ", role=" + role + (isRunning() ? suspended ? ", suspended" : ", running" : ", stopped") + "]";
    }
}
