package dev.replication.testkit;

import dev.replication.testkit.internal.ClusterConfig;
import dev.replication.testkit.internal.LagInjection;
import dev.replication.testkit.internal.NodeSql;
import dev.replication.testkit.internal.Promotion;
import dev.replication.testkit.internal.ServerProcess;
import dev.replication.testkit.internal.StartupWait;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One PostgreSQL server of a {@link PgCluster}: a local {@code postgres} process on 127.0.0.1 with
 * its own data directory. Nodes are named {@code node1} (the initial primary), {@code node2}, ...
 * Methods that change the process (kill, suspend, stop, start, promote) act on the real process
 * tree and wait, with deadlines, until the change has happened.
 *
 * <p>Thread-safe: process changes hold this node's monitor (and the server's, which the cluster's
 * own launches and waits hold too), so they are serialized per node. The work is done by
 * {@link ServerProcess} (process control), {@link NodeSql} (connections), {@link LagInjection},
 * {@link StartupWait} and {@link Promotion}; this class keeps the role the cluster gave the node.
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

    private final PgCluster cluster;
    private final ServerProcess server;
    private final NodeSql sql;
    private volatile Role role;
    private volatile PgNode upstream;

    PgNode(PgCluster cluster, ClusterConfig config, String name, Path nodeDir, int port, Role role) {
        this.cluster = cluster;
        this.server = new ServerProcess(name, nodeDir, port, config, this::role);
        this.sql = new NodeSql(server, config);
        this.role = role;
    }

    /** @return the node name, e.g. {@code node2} */
    public String name() {
        return server.name();
    }

    /** @return the host the server listens on: {@code 127.0.0.1} */
    public String host() {
        return NodeSql.HOST;
    }

    /** @return the TCP port (stable across stop/start) */
    public int port() {
        return server.port();
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
        return sql.jdbcUrl(database);
    }

    /** @return the data directory */
    public Path dataDir() {
        return server.dataDir();
    }

    /** @return the server log file (stdout and stderr of the server) */
    public Path logFile() {
        return server.log().file();
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
        long pid = server.postmasterPid();
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** @return whether the server process is alive (a suspended server is alive) */
    public boolean isRunning() {
        return server.isRunning();
    }

    /** @return whether the server was suspended with {@link #suspend()} and not resumed */
    public boolean isSuspended() {
        return server.isSuspended();
    }

    /**
     * Asks the server whether it is in recovery (a standby).
     *
     * @return {@code pg_is_in_recovery()}
     */
    public boolean isInRecovery() {
        return sql.queryBoolean("SELECT pg_is_in_recovery()", "isInRecovery");
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
        return sql.connect(database);
    }

    /** Pauses WAL replay ({@code pg_wal_replay_pause()}); received WAL is not applied until resumed. */
    public void pauseReplay() {
        LagInjection.pauseReplay(sql);
    }

    /** Resumes WAL replay ({@code pg_wal_replay_resume()}). */
    public void resumeReplay() {
        LagInjection.resumeReplay(sql);
    }

    /**
     * Sets {@code recovery_min_apply_delay} (ALTER SYSTEM and reload) and waits until the server
     * uses it.
     *
     * @param delay the delay; {@link Duration#ZERO} clears it
     */
    public void setApplyDelay(Duration delay) {
        LagInjection.setApplyDelay(sql, delay);
    }

    /**
     * Simulates a crash: SIGKILL to the postmaster and all its child processes, then waits until
     * they are gone. No-op if the server is not running.
     */
    public synchronized void kill() {
        server.kill();
    }

    /**
     * Simulates a hung server: SIGSTOP to the postmaster and all its descendants. Connections to
     * it then hang (TCP connects may still be accepted by the kernel). Undo with
     * {@link #resumeProcess()}.
     */
    public synchronized void suspend() {
        server.suspend();
    }

    /** Resumes a suspended server: SIGCONT to the postmaster and all its descendants. */
    public synchronized void resumeProcess() {
        server.resume();
    }

    /**
     * Stops the server cleanly (fast shutdown: SIGINT) and waits until its processes are gone.
     * No-op if it is not running.
     */
    public synchronized void stop() {
        server.stop();
    }

    /**
     * Starts the server again with the same data directory and port (after {@link #stop()} or
     * {@link #kill()}, which then means crash recovery), and waits until it accepts connections.
     * No-op if it is running. A replica resumes streaming from its upstream; a former primary
     * starts as a primary again (use {@link PgCluster#reattach(PgNode)} to make it a replica).
     */
    public synchronized void start() {
        StartupWait.start(server, sql);
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

    // ---- package-private: PgCluster's view of the node ----

    ServerProcess server() {
        return server;
    }

    NodeSql sql() {
        return sql;
    }

    void setRole(Role role, PgNode upstream) {
        this.role = role;
        this.upstream = upstream;
    }

    PgNode rawUpstream() {
        return upstream;
    }

    @Override
    public String toString() {
        return "PgNode[" + name() + ", port=" + port() + ", role=" + role
                + (isRunning() ? isSuspended() ? ", suspended" : ", running" : ", stopped") + "]";
    }
}
