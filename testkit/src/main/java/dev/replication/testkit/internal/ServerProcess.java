package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import dev.replication.testkit.PgNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

// Slightly over ~300 lines: one server's launch, readiness, stop and signals share its pid and state under
// one lock.
/**
 * Process control of one PostgreSQL server: launch, postmaster pid, and signals to its process
 * tree (SIGKILL crash, SIGSTOP / SIGCONT hang, SIGINT fast shutdown, SIGQUIT immediate shutdown).
 * Each change waits, with a deadline, until it has happened.
 *
 * <p>Thread-safe: changes hold this object's monitor (so does {@link StartupWait}); the state
 * queries read volatile fields.
 */
public final class ServerProcess {
    private static final System.Logger LOG = System.getLogger("dev.replication.testkit");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Path nodeDir;
    private final Path dataDir;
    private final ServerLog log;
    private final ClusterConfig config;
    private final Supplier<PgNode.Role> role;
    private volatile int port;
    private volatile Process process;
    private volatile boolean suspended;
    private volatile List<Long> suspendedPids = List.of();

    /**
     * @param name the node name
     * @param nodeDir the node directory (holds {@code data} and {@code postgres.log})
     * @param port the TCP port
     * @param config the cluster's shared configuration
     * @param role the node's configured role, for error messages
     */
    public ServerProcess(String name, Path nodeDir, int port, ClusterConfig config, Supplier<PgNode.Role> role) {
        this.name = name;
        this.nodeDir = nodeDir;
        this.dataDir = nodeDir.resolve("data");
        this.log = new ServerLog(nodeDir.resolve("postgres.log"));
        this.port = port;
        this.config = config;
        this.role = role;
    }

    /** @return the node name */
    public String name() {
        return name;
    }

    /** @return the node directory */
    public Path nodeDir() {
        return nodeDir;
    }

    /** @return the data directory */
    public Path dataDir() {
        return dataDir;
    }

    /** @return the server log */
    public ServerLog log() {
        return log;
    }

    /** @return the TCP port */
    public int port() {
        return port;
    }

    /** @return the node's configured role */
    public PgNode.Role role() {
        return role.get();
    }

    /** @return how long a start may take */
    public Duration startTimeout() {
        return config.startTimeout();
    }

    /** @return the launched process, or null */
    public Process process() {
        return process;
    }

    /** @return whether the launched process is alive (a suspended server is alive) */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** @return whether the server is suspended (SIGSTOP) and not resumed */
    public boolean isSuspended() {
        return suspended;
    }

    /** @return the postmaster pid, or -1 when the server is not running */
    public long postmasterPid() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return -1;
        }
        if (config.account().execs()) {
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

    /** Launches {@code postgres} on the data dir, output appended to the log; does not wait. */
    public synchronized void launch() {
        if (isRunning()) {
            throw new PgClusterException(name + ": already running (pid " + postmasterPid() + ")");
        }
        removeStalePidFile();
        List<String> cmd = config.account().wrap(List.of(config.binaries().postgres().toString(), "-D", dataDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(nodeDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        try {
            log.markLaunch();
            process = pb.start();
        } catch (IOException e) {
            throw new PgClusterException(name + ": cannot launch " + cmd + ": " + e, e);
        }
    }

    /** Takes a new free port and rewrites the server files with it (for a launch that lost its port). */
    public synchronized void moveToFreePort() {
        port = Ports.free();
        config.writeServerFiles(dataDir, port);
    }

    /** SIGKILL to the postmaster and all its children, then waits until they are gone. No-op if not running. */
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

    /** SIGSTOP to the postmaster and all its descendants. */
    public synchronized void suspend() {
        requireRunning("suspend");
        long pm = postmasterPid();
        Signals.send("STOP", List.of(pm));
        List<Long> tree = Signals.tree(pm);
        Signals.send("STOP", tree);
        suspendedPids = tree;
        suspended = true;
    }

    /** SIGCONT to the postmaster and all its descendants. */
    public synchronized void resume() {
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

    /** Fast shutdown (SIGINT), waiting until the processes are gone; SIGKILL and an error after 60 s. No-op if not running. */
    public synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            process = null;
            return;
        }
        if (suspended) {
            resume();
        }
        long pm = postmasterPid();
        List<Long> tree = Signals.tree(pm);
        Signals.send("INT", List.of(pm));
        if (!waitExit(p, STOP_TIMEOUT)) {
            kill();
            throw new PgClusterException(name + ": did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s after SIGINT; killed it. Log tail:\n" + log.tail());
        }
        Signals.awaitGone(name + ": stop", tree, Duration.ofSeconds(20));
        process = null;
    }

    /**
     * Stops servers for good: SIGCONT where suspended, SIGQUIT (immediate shutdown), waits until
     * their processes are gone (SIGKILL after 10 s) and forgets them. A server that cannot be
     * signalled is logged and skipped.
     *
     * @param servers the servers
     */
    public static void stopAll(List<ServerProcess> servers) {
        List<Long> pids = new ArrayList<>();
        for (ServerProcess s : servers) {
            try {
                pids.addAll(s.beginImmediateShutdown());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "testkit: " + s.name + ": immediate shutdown failed: " + e);
            }
        }
        try {
            Signals.awaitGone("close", pids, Duration.ofSeconds(10));
        } catch (PgClusterException e) {
            Signals.send("KILL", pids);
            Signals.awaitGone("close after SIGKILL", pids, Duration.ofSeconds(10));
            servers.forEach(s -> Signals.releaseSharedMemory(s.dataDir));
        } finally {
            servers.forEach(ServerProcess::forget);
        }
    }

    private synchronized List<Long> beginImmediateShutdown() {
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

    private synchronized void forget() {
        process = null;
    }

    /**
     * @param what the operation, for the message
     * @throws PgClusterException when the server is not running or is suspended
     */
    public void requireRunning(String what) {
        if (!isRunning()) {
            throw new PgClusterException(name + ": " + what + ": server is not running (role " + role() + ")");
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
}
