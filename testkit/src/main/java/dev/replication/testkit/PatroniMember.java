package dev.replication.testkit;

import dev.replication.testkit.internal.PatroniProcess;
import dev.replication.testkit.internal.PatroniSettings;
import dev.replication.testkit.internal.Poll;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * One member of a {@link PatroniCluster}: a Patroni process and the PostgreSQL server it manages,
 * on 127.0.0.1 with a fixed PostgreSQL port and REST port. Members are named {@code pg1},
 * {@code pg2}, ... in creation order. Which member leads is Patroni's decision; ask
 * {@link #role()} or {@link PatroniCluster#leader()}.
 *
 * <p>Fault verbs act on real processes and return once the signalled processes are gone; they do
 * not wait for Patroni's reaction (use {@link PatroniCluster#awaitLeader(Duration)},
 * {@link PatroniCluster#awaitMembersStreaming(Duration)}). Thread-safe: process changes are
 * serialized per member.
 */
public final class PatroniMember {
    private final PatroniCluster cluster;
    private final String name;
    private final Path dir;
    private final int pgPort;
    private final int restPort;
    private final PatroniSettings settings;
    private final PatroniProcess process;
    private volatile PatroniTags tags;

    PatroniMember(PatroniCluster cluster, String name, Path dir, int pgPort, int restPort, PatroniTags tags,
            PatroniSettings settings) {
        this.cluster = cluster;
        this.name = name;
        this.dir = dir;
        this.pgPort = pgPort;
        this.restPort = restPort;
        this.settings = settings;
        this.tags = tags;
        this.process = new PatroniProcess(name, dir, settings.writeConfig(name, dir, pgPort, restPort, tags), settings);
    }

    /** @return the member name, e.g. {@code pg2} (Patroni's {@code name}, and the replicas' {@code application_name}) */
    public String name() {
        return name;
    }

    /** @return {@code 127.0.0.1} */
    public String host() {
        return "127.0.0.1";
    }

    /** @return the PostgreSQL port (fixed for the member's life) */
    public int pgPort() {
        return pgPort;
    }

    /** @return the REST API port (fixed for the member's life) */
    public int restPort() {
        return restPort;
    }

    /** @return {@code http://127.0.0.1:<restPort>} */
    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    /**
     * @param database a database name
     * @return {@code jdbc:postgresql://127.0.0.1:<pgPort>/<database>} (no credentials in it)
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + pgPort + "/" + database;
    }

    /**
     * @return a new superuser connection to database {@code postgres}; the caller closes it
     * @throws SQLException when PostgreSQL cannot be reached
     */
    public Connection connect() throws SQLException {
        return connect("postgres");
    }

    /**
     * @param database a database name
     * @return a new superuser connection (connect timeout 5 s); the caller closes it
     * @throws SQLException when PostgreSQL cannot be reached
     */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", PatroniSettings.SUPERUSER);
        p.setProperty("password", settings.superuserPassword());
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        p.setProperty("ApplicationName", "testkit");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /**
     * @return this member as Patroni's {@code GET /cluster} reports it (asking any reachable
     *     member), or empty when it is not listed (removed, or its key expired)
     * @throws PgClusterException when no member's REST API answers
     */
    public Optional<PatroniMemberStatus> status() {
        return cluster.cluster().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * @return the role Patroni reports in {@code GET /cluster}: {@code leader}, {@code replica},
     *     {@code sync_standby}, {@code standby_leader}, or {@code absent} when it is not listed
     * @throws PgClusterException when no member's REST API answers
     */
    public String role() {
        return status().map(PatroniMemberStatus::role).orElse("absent");
    }

    /**
     * @return {@code pg_is_in_recovery()} of this member's PostgreSQL
     * @throws PgClusterException when PostgreSQL cannot be reached
     */
    public boolean isInRecovery() {
        try {
            return inRecovery();
        } catch (SQLException e) {
            throw new PgClusterException(name + ": pg_is_in_recovery() failed: " + e.getMessage(), e);
        }
    }

    boolean inRecovery() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** @return whether this member's Patroni process is alive */
    public boolean isPatroniRunning() {
        return process.patroniPid().isPresent();
    }

    /** @return Patroni's pid while it runs */
    public OptionalLong patroniPid() {
        return process.patroniPid();
    }

    /** @return the pid of the postmaster running this member's data dir, if any */
    public OptionalLong postmasterPid() {
        return process.postmasterPid();
    }

    /** @return the tags this member is configured with */
    public PatroniTags tags() {
        return tags;
    }

    /** @return the data directory (owned by the server account when the JVM is root) */
    public Path dataDir() {
        return process.dataDir();
    }

    /** @return Patroni's log file (its output, including PostgreSQL's) */
    public Path logFile() {
        return process.logFile();
    }

    /**
     * SIGKILLs the postmaster and all its children; Patroni keeps running, notices within
     * {@code loop_wait} and starts PostgreSQL again (a leader keeps its lock and is re-promoted,
     * on a new timeline).
     *
     * @return the killed postmaster's pid
     * @throws PgClusterException when PostgreSQL is not running
     */
    public long killPostgres() {
        return process.killPostgres();
    }

    /**
     * SIGKILLs Patroni and its PostgreSQL (postmaster and children) at once: the whole member dies.
     * Its member key and, if it led, the leader key stay in etcd until they expire after
     * {@code ttl}; then another member takes over. {@link #start()} brings it back.
     */
    public void killPatroni() {
        process.killAll();
    }

    /**
     * Stops Patroni with SIGTERM: it stops PostgreSQL cleanly (a leader releases the leader key
     * when a replica has received everything). SIGKILL after 30 s. Returns once both are gone.
     *
     * @return whether the stop was clean (no SIGKILL needed)
     */
    public boolean stopPatroni() {
        return process.stop(Duration.ofSeconds(30));
    }

    /**
     * Starts Patroni again for a stopped or killed member (same name, ports, data dir). A former
     * leader is rewound (pg_rewind) or re-cloned by Patroni and rejoins as a replica. Returns once
     * the process is launched; wait with {@link PatroniCluster#awaitMembersStreaming(Duration)}.
     *
     * @throws PgClusterException when Patroni is already running, or the member was removed
     */
    public void start() {
        cluster.requireOpen();
        if (!cluster.members().contains(this)) {
            throw new PgClusterException(name + " was removed from the cluster; use addMember() for a new one");
        }
        process.killLeftovers();
        process.launch();
    }

    /**
     * Changes this member's tags: rewrites its configuration, sends SIGHUP to Patroni, and waits
     * (10 s) until {@code GET /cluster} shows them.
     *
     * @param newTags the tags
     * @throws PgClusterException when Patroni is not running or the change is not seen in time
     */
    public void setTags(PatroniTags newTags) {
        synchronized (this) {
            settings.writeConfig(name, dir, pgPort, restPort, newTags);
            tags = newTags;
            process.reload();
        }
        Poll.until(Duration.ofSeconds(10), () -> {
            Optional<PatroniMemberStatus> s = cluster.view().stream().filter(v -> v.name().equals(name)).findFirst();
            return s.isPresent() && s.get().nofailover() == newTags.nofailover()
                    && s.get().noloadbalance() == newTags.noloadbalance() ? Boolean.TRUE : null;
        }, () -> name + ": /cluster does not show tags " + newTags + " after SIGHUP; log:\n" + process.logTail());
    }

    PatroniProcess process() {
        return process;
    }

    Path dir() {
        return dir;
    }

    @Override
    public String toString() {
        OptionalLong p = process.patroniPid();
        return name + "[pg 127.0.0.1:" + pgPort + ", rest " + restPort + ", patroni "
                + (p.isPresent() ? "pid " + p.getAsLong() : "down") + "]";
    }
}
