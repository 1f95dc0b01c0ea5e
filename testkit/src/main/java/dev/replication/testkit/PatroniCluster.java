// Longer than the testkit's ~300-line aim: the public nested Builder (~200 lines of documented, validated
// setters) and Availability are part of the API and must stay in this file, as PgCluster.Builder does; the
// facade methods are short. Process work is in internal/ (PatroniProcess, EtcdServer, PatroniRest).
package dev.replication.testkit;

import dev.replication.testkit.internal.EtcdServer;
import dev.replication.testkit.internal.FileTree;
import dev.replication.testkit.internal.Layout;
import dev.replication.testkit.internal.LiveClusters;
import dev.replication.testkit.internal.OsAccount;
import dev.replication.testkit.internal.PatroniEnv;
import dev.replication.testkit.internal.PatroniRest;
import dev.replication.testkit.internal.PatroniSettings;
import dev.replication.testkit.internal.Poll;
import dev.replication.testkit.internal.Ports;
import dev.replication.testkit.internal.Signals;
import dev.replication.testkit.internal.StaleCleaner;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A Patroni-managed PostgreSQL cluster as local processes on 127.0.0.1: one etcd and N Patroni
 * members ({@code pg1}, {@code pg2}, ...), each with its own PostgreSQL, REST and PostgreSQL ports.
 * Patroni decides who leads; this class starts, observes (through the REST API and SQL), injects
 * faults and cleans up.
 *
 * <pre>{@code
 * PatroniCluster.availability().assumePresent();                  // JUnit: skipped without patroni/etcd
 * try (PatroniCluster c = PatroniCluster.builder().members(3).start()) {
 *     PatroniMember leader = c.leader();
 *     try (Connection con = DriverManager.getConnection(leader.jdbcUrl("postgres"), c.user(), c.password())) { ... }
 *     leader.killPatroni();                                        // the whole member dies
 *     PatroniMember next = c.awaitNewLeader(leader, Duration.ofSeconds(30));
 *     leader.start();                                              // rejoins as a replica
 *     c.awaitMembersStreaming(Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * <p>Needs {@code patroni} (3.x, with psycopg2) and {@code etcd} on the PATH and an installed
 * PostgreSQL with initdb, pg_ctl, pg_controldata, pg_basebackup, pg_rewind and postgres
 * ({@code -Dtestkit.pg.bin}, {@code PG_BIN}, else the newest {@code /usr/lib/postgresql/<major>/bin});
 * the zonky binaries of {@link PgCluster} lack the last three. See {@link #availability()}. When the
 * JVM runs as root, Patroni and PostgreSQL run as the same unprivileged account as {@link PgCluster}'s
 * servers. Data lives in a testkit cluster directory removed by {@link #close()}; the JVM shutdown
 * hook and the stale-directory cleanup of the next run cover a JVM that dies first.
 *
 * <p>Thread-safe: membership changes and {@link #close()} are synchronized; observations may run
 * concurrently with them.
 */
public final class PatroniCluster implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.replication.testkit");
    private static final AtomicBoolean SKIP_LOGGED = new AtomicBoolean();

    private final PatroniSettings settings;
    private final EtcdServer etcd;
    private final List<PatroniMember> members = new CopyOnWriteArrayList<>();
    private final AtomicInteger memberCounter = new AtomicInteger();
    private volatile boolean closed;

    private PatroniCluster(PatroniSettings settings, EtcdServer etcd) {
        this.settings = settings;
        this.etcd = etcd;
    }

    /** @return a builder for a new cluster */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a Patroni cluster can run on this machine. Checked once per JVM: {@code patroni} and
     * {@code etcd} on the PATH, psycopg2 (or psycopg) for Patroni's Python, and PostgreSQL binaries
     * with everything Patroni runs.
     *
     * @return present, or absent with a reason that says what is missing and how to install it
     */
    public static Availability availability() {
        PatroniEnv.Found f = PatroniEnv.get();
        return f.present() ? new Availability(true, "patroni " + f.patroni() + ", etcd " + f.etcd() + ", PostgreSQL "
                + f.pgBin()) : new Availability(false, f.problem());
    }

    /** @return all members not removed, in creation order (running or not) */
    public List<PatroniMember> members() {
        return List.copyOf(members);
    }

    /**
     * @param name a member name such as {@code pg2}
     * @return that member
     * @throws IllegalArgumentException if there is no such member
     */
    public PatroniMember member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no member '" + name + "' in " + names()));
    }

    /**
     * Asks Patroni (REST {@code GET /cluster}) which member holds the leader key. The leader's
     * PostgreSQL may still be starting or in recovery; {@link #awaitLeader(Duration)} waits for a
     * writable one.
     *
     * @return the leader
     * @throws PgClusterException when no member answers or none is leader
     */
    public PatroniMember leader() {
        List<PatroniMemberStatus> view = cluster();
        return view.stream().filter(PatroniMemberStatus::isLeader).findFirst().map(s -> member(s.name()))
                .orElseThrow(() -> new PgClusterException("no leader in /cluster: " + view));
    }

    /** @return {@code http://127.0.0.1:PORT} of every member's REST API, in creation order */
    public List<String> restUrls() {
        return members.stream().map(PatroniMember::restUrl).toList();
    }

    /** @return the superuser name, {@code postgres} */
    public String user() {
        return PatroniSettings.SUPERUSER;
    }

    /** @return the superuser password (never printed by {@link #toString()}) */
    public String password() {
        return settings.superuserPassword();
    }

    /** @return the Patroni scope (cluster name) */
    public String scope() {
        return settings.scope();
    }

    /** @return the etcd client endpoint, {@code http://127.0.0.1:PORT} */
    public String etcdEndpoint() {
        return etcd.endpoint();
    }

    /** @return the PostgreSQL bin directory the members run */
    public Path pgBinDir() {
        return settings.env().pgBin();
    }

    /** @return the cluster directory (one subdirectory per member, and {@code etcd}) */
    public Path directory() {
        return settings.dir();
    }

    /**
     * Patroni's view ({@code GET /cluster}), from the first member whose REST API answers.
     *
     * @return every member Patroni lists, sorted by name
     * @throws PgClusterException when no running member answers
     */
    public List<PatroniMemberStatus> cluster() {
        try {
            return view();
        } catch (IOException e) {
            throw new PgClusterException(e.getMessage(), e);
        }
    }

    /** {@link #cluster()} failing with an IOException, so that deadline polls retry it. */
    List<PatroniMemberStatus> view() throws IOException {
        List<String> errors = new ArrayList<>();
        for (PatroniMember m : members) {
            if (!m.isPatroniRunning()) {
                continue;
            }
            try {
                return PatroniRest.cluster(m.restUrl());
            } catch (IOException e) {
                errors.add(m.name() + ": " + e);
            }
        }
        throw new IOException("no Patroni REST API answered GET /cluster: "
                + (errors.isEmpty() ? "no member is running" : errors));
    }

    /**
     * Waits until a member is leader in {@code /cluster} with state {@code running} and its
     * PostgreSQL accepts connections out of recovery.
     *
     * @param timeout the deadline
     * @return the leader
     * @throws PgClusterException on timeout, with the last view
     */
    public PatroniMember awaitLeader(Duration timeout) {
        return awaitWritableLeader(timeout, m -> true, "a writable leader");
    }

    /**
     * Like {@link #awaitLeader(Duration)}, for a leader other than {@code previous} (after a
     * failover or switchover).
     *
     * @param previous the member that led before
     * @param timeout the deadline
     * @return the new leader
     */
    public PatroniMember awaitNewLeader(PatroniMember previous, Duration timeout) {
        return awaitWritableLeader(timeout, m -> m != previous, "a writable leader other than " + previous.name());
    }

    private PatroniMember awaitWritableLeader(Duration timeout, Predicate<PatroniMember> accept, String what) {
        AtomicReference<Object> seen = new AtomicReference<>("nothing yet");
        return Poll.until(timeout, () -> {
            List<PatroniMemberStatus> view = view();
            seen.set(view);
            Optional<PatroniMemberStatus> l = view.stream().filter(s -> s.isLeader() && "running".equals(s.state()))
                    .findFirst();
            if (l.isEmpty()) {
                return null;
            }
            PatroniMember m = member(l.get().name());
            return accept.test(m) && m.isPatroniRunning() && !m.inRecovery() ? m : null;
        }, () -> "waiting for " + what + "; /cluster: " + seen.get());
    }

    /**
     * Waits until there is a writable leader and every other member whose Patroni runs is a
     * replica in state {@code running} with a numeric lag in {@code /cluster} and is listed as
     * {@code streaming} (by its name as {@code application_name}) in the leader's
     * {@code pg_stat_replication}.
     *
     * @param timeout the deadline
     * @throws PgClusterException on timeout, with the last view
     */
    public void awaitMembersStreaming(Duration timeout) {
        AtomicReference<String> seen = new AtomicReference<>("nothing yet");
        Poll.until(timeout, () -> {
            List<PatroniMemberStatus> view = view();
            seen.set(view.toString());
            Optional<PatroniMemberStatus> l = view.stream().filter(s -> s.isLeader() && "running".equals(s.state()))
                    .findFirst();
            if (l.isEmpty()) {
                return null;
            }
            PatroniMember leader = member(l.get().name());
            if (!leader.isPatroniRunning() || leader.inRecovery()) {
                return null;
            }
            Set<String> streaming = streamingStandbys(leader);
            seen.set(view + "; streaming from " + leader.name() + ": " + streaming);
            for (PatroniMember m : members) {
                if (m == leader || !m.isPatroniRunning()) {
                    continue;
                }
                Optional<PatroniMemberStatus> s = view.stream().filter(v -> v.name().equals(m.name())).findFirst();
                if (s.isEmpty() || !s.get().isStreamingReplica() || !streaming.contains(m.name())) {
                    return null;
                }
            }
            return Boolean.TRUE;
        }, () -> "waiting for a writable leader and every running member streaming from it; seen " + seen.get());
    }

    private static Set<String> streamingStandbys(PatroniMember leader) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = leader.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * Creates a database on the leader and waits (60 s) until every streaming replica has
     * replayed it.
     *
     * @param name the database name (quoted)
     * @return the name
     */
    public String createDatabase(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 63 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid database name (1-63 characters): '" + name + "'");
        }
        PatroniMember l = awaitLeader(Duration.ofSeconds(60));
        try (Connection c = l.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            throw new PgClusterException(l.name() + ": CREATE DATABASE " + name + " failed: " + e.getMessage(), e);
        }
        Poll.until(Duration.ofSeconds(60), () -> {
            try (Connection c = l.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' "
                            + "AND replay_lsn < pg_current_wal_lsn()")) {
                rs.next();
                return rs.getLong(1) == 0 ? Boolean.TRUE : null;
            }
        }, () -> "waiting for replicas to replay CREATE DATABASE " + name);
        return name;
    }

    /**
     * Planned switchover through {@code POST /switchover} on the leader (body
     * {@code {"leader": current, "candidate": candidate}}); Patroni answers once the candidate
     * leads. Then waits until the candidate's PostgreSQL is writable. The old leader restarts as a
     * replica afterwards; wait for it with {@link #awaitMembersStreaming(Duration)}.
     *
     * @param candidate the member to lead
     * @return the candidate
     * @throws PgClusterException when Patroni refuses (e.g. {@code nofailover} tag, candidate not
     *     streaming) or the switchover does not complete within the start timeout
     */
    public PatroniMember switchover(PatroniMember candidate) {
        requireOpen();
        PatroniMember current = leader();
        if (current == candidate) {
            throw new IllegalArgumentException(candidate.name() + " already leads; choose another candidate");
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("leader", current.name());
        body.put("candidate", candidate.name());
        PatroniRest.Response r;
        try {
            r = PatroniRest.post(current.restUrl() + "/switchover", body, Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new PgClusterException("switchover " + current.name() + " -> " + candidate.name() + ": " + e, e);
        }
        if (r.status() != 200) {
            throw new PgClusterException("switchover " + current.name() + " -> " + candidate.name() + ": HTTP "
                    + r.status() + ": " + r.body());
        }
        return awaitWritableLeader(settings.startTimeout(), m -> m == candidate, candidate.name() + " leading");
    }

    /** @return {@link #addMember(PatroniTags)} without tags */
    public PatroniMember addMember() {
        return addMember(PatroniTags.NONE);
    }

    /**
     * Adds a member at runtime: next name and free ports; Patroni clones it from the leader
     * (pg_basebackup). Waits until it streams.
     *
     * @param tags its tags
     * @return the new member
     */
    public synchronized PatroniMember addMember(PatroniTags tags) {
        requireOpen();
        PatroniMember m = newMember(tags);
        m.process().launch();
        awaitMembersStreaming(settings.startTimeout());
        return m;
    }

    /**
     * Removes a member: stops its Patroni cleanly, deletes its member key from etcd so it vanishes
     * from {@code /cluster} at once (instead of after {@code ttl}), waits until the others no
     * longer list it, and deletes its directory. Removing the leader causes a failover.
     *
     * @param member the member
     */
    public synchronized void removeMember(PatroniMember member) {
        requireOpen();
        if (!members.contains(member)) {
            throw new IllegalArgumentException(member + " is not a member of this cluster");
        }
        member.stopPatroni();
        etcd.deleteKey(settings.memberKey(member.name()));
        members.remove(member);
        if (members.stream().anyMatch(PatroniMember::isPatroniRunning)) {
            Poll.until(Duration.ofSeconds(settings.ttl() + 10L),
                    () -> view().stream().noneMatch(s -> s.name().equals(member.name())) ? Boolean.TRUE : null,
                    () -> member.name() + " still listed in /cluster after its key was deleted");
        }
        FileTree.delete(member.dir());
    }

    /**
     * Stops etcd (SIGTERM). Patroni cannot renew the leader key: after {@code retry_timeout} the
     * leader demotes itself to read-only (no failsafe mode configured).
     */
    public void stopEtcd() {
        etcd.stop();
    }

    /** Starts etcd again on the same ports with the same data and waits until it is healthy. */
    public void startEtcd() {
        requireOpen();
        etcd.start(settings.startTimeout());
    }

    /**
     * Stops every Patroni (SIGTERM, SIGKILL after 15 s), kills leftover postmasters, stops etcd and
     * deletes the cluster directory. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            List<Long> pids = new ArrayList<>();
            members.forEach(m -> m.patroniPid().ifPresent(pids::add));
            Signals.send("TERM", pids);
            try {
                Signals.awaitGone("Patroni stop", pids, Duration.ofSeconds(15));
            } catch (PgClusterException e) {
                members.forEach(m -> m.process().killAll());
            }
            members.forEach(m -> m.process().killLeftovers());
            etcd.stop();
        } finally {
            try {
                FileTree.delete(settings.dir());
            } finally {
                LiveClusters.remove(this);
            }
        }
    }

    @Override
    public String toString() {
        return "PatroniCluster[" + settings.scope() + ", " + settings.dir() + ", etcd " + etcd.endpoint() + ", members="
                + members + "]";
    }

    void requireOpen() {
        if (closed) {
            throw new PgClusterException("Patroni cluster " + settings.dir() + " is closed");
        }
    }

    private PatroniMember newMember(PatroniTags tags) {
        String name = "pg" + memberCounter.incrementAndGet();
        Path dir = FileTree.mkdirs(settings.dir().resolve(name), "rwx------");
        settings.account().chown(dir);
        PatroniMember m = new PatroniMember(this, name, dir, Ports.free(), Ports.free(), tags, settings);
        members.add(m);
        return m;
    }

    private List<String> names() {
        return members.stream().map(PatroniMember::name).toList();
    }

    private void startMembers(int count, Map<String, PatroniTags> tags) {
        etcd.start(settings.startTimeout());
        List<PatroniMember> started = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            started.add(newMember(tags.getOrDefault("pg" + i, PatroniTags.NONE)));
        }
        started.forEach(m -> m.process().launch());
        try {
            awaitMembersStreaming(settings.startTimeout());
        } catch (PgClusterException e) {
            StringBuilder logs = new StringBuilder();
            started.forEach(m -> logs.append("\n--- ").append(m.name()).append(" log tail:\n")
                    .append(m.process().logTail()));
            throw new PgClusterException(e.getMessage() + logs, e);
        }
    }

    /**
     * Whether Patroni clusters can run here.
     *
     * @param present whether everything needed was found
     * @param reason what was found, or what is missing and how to install it
     */
    public record Availability(boolean present, String reason) {
        /**
         * JUnit 5 assumption: aborts (skips) the calling test with {@link #reason()} when absent,
         * after logging the reason (once per JVM). Call it per test ({@code @BeforeEach}): surefire
         * does not count a class aborted in {@code @BeforeAll} as skipped. Needs junit-jupiter-api
         * on the classpath.
         */
        public void assumePresent() {
            if (!present && SKIP_LOGGED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "testkit: Patroni tests skipped: " + reason);
            }
            Assumptions.assumeTrue(present, reason);
        }
    }

    /**
     * Configures and starts a {@link PatroniCluster}. Defaults suit tests: 3 members, {@code ttl}
     * 10 s, {@code loop_wait} 2 s, {@code retry_timeout} 4 s (Patroni's rule
     * {@code loop_wait + 2 * retry_timeout <= ttl} is enforced), {@code maximum_lag_on_failover}
     * 1 MiB, random superuser password, start timeout 90 s.
     */
    public static final class Builder {
        private static final SecureRandom RANDOM = new SecureRandom();
        private int members = 3;
        private String scope = "testkit";
        private int ttl = 10;
        private int loopWait = 2;
        private int retryTimeout = 4;
        private long maximumLagOnFailover = 1L << 20;
        private final Map<String, PatroniTags> tags = new LinkedHashMap<>();
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private String password;
        private Duration startTimeout = Duration.ofSeconds(90);

        private Builder() {
        }

        /**
         * @param members number of members (1..9, default 3)
         * @return this
         */
        public Builder members(int members) {
            if (members < 1 || members > 9) {
                throw new IllegalArgumentException("members must be 1..9, got " + members);
            }
            this.members = members;
            return this;
        }

        /**
         * @param scope the Patroni scope: letters, digits, '-' and '_' (default {@code testkit})
         * @return this
         */
        public Builder scope(String scope) {
            if (scope == null || !scope.matches("[A-Za-z0-9_-]{1,63}")) {
                throw new IllegalArgumentException("scope must be 1-63 of [A-Za-z0-9_-], got '" + scope + "'");
            }
            this.scope = scope;
            return this;
        }

        /**
         * @param seconds leader key TTL (default 10)
         * @return this
         */
        public Builder ttl(int seconds) {
            this.ttl = positive("ttl", seconds);
            return this;
        }

        /**
         * @param seconds seconds between HA loop runs (default 2)
         * @return this
         */
        public Builder loopWait(int seconds) {
            this.loopWait = positive("loopWait", seconds);
            return this;
        }

        /**
         * @param seconds DCS and PostgreSQL retry timeout (default 4)
         * @return this
         */
        public Builder retryTimeout(int seconds) {
            this.retryTimeout = positive("retryTimeout", seconds);
            return this;
        }

        /**
         * @param bytes how far behind a replica may be and still be promoted (default 1048576)
         * @return this
         */
        public Builder maximumLagOnFailover(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maximumLagOnFailover must be >= 0 bytes, got " + bytes);
            }
            this.maximumLagOnFailover = bytes;
            return this;
        }

        /**
         * @param member a member name {@code pg1}..{@code pgN} of the initial members
         * @param memberTags its tags
         * @return this
         */
        public Builder tags(String member, PatroniTags memberTags) {
            if (member == null || !member.matches("pg[1-9]")) {
                throw new IllegalArgumentException("tags: member must be pg1..pg9, got '" + member + "'");
            }
            tags.put(member, Objects.requireNonNull(memberTags, "memberTags"));
            return this;
        }

        /**
         * @param name a PostgreSQL parameter, e.g. {@code log_statement}
         * @param value its value (in Patroni's bootstrap DCS configuration, so for all members)
         * @return this
         */
        public Builder setting(String name, String value) {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw new IllegalArgumentException("invalid setting name: " + name);
            }
            parameters.put(name, Objects.requireNonNull(value, "value"));
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
         * @param timeout how long the start (and {@link PatroniCluster#addMember()}, a switchover)
         *     may take (default 90 s)
         * @return this
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Starts etcd and the members; waits for a writable leader and every other member
         * streaming from it.
         *
         * @return the running cluster; close it
         * @throws PgClusterException when {@link PatroniCluster#availability()} is absent (with its
         *     reason) or the start fails (with the members' log tails)
         */
        public PatroniCluster start() {
            if (loopWait + 2 * retryTimeout > ttl) {
                throw new IllegalArgumentException("Patroni needs loop_wait + 2 * retry_timeout <= ttl; got loopWait="
                        + loopWait + ", retryTimeout=" + retryTimeout + ", ttl=" + ttl);
            }
            for (String m : tags.keySet()) {
                if (Integer.parseInt(m.substring(2)) > members) {
                    throw new IllegalArgumentException("tags for " + m + " but only " + members + " members");
                }
            }
            PatroniEnv.Found env = PatroniEnv.get();
            if (!env.present()) {
                throw new PgClusterException("Patroni cluster cannot start: " + env.problem());
            }
            Layout.allClustersDirs().forEach(StaleCleaner::clean);
            Path dir = Layout.newClusterDir();
            EtcdServer etcd = new EtcdServer(env.etcd(), dir.resolve("etcd"));
            PatroniSettings settings = new PatroniSettings(env, OsAccount.get(), scope, ttl, loopWait, retryTimeout,
                    maximumLagOnFailover, password != null ? password : randomPassword(), randomPassword(),
                    Map.copyOf(parameters), etcd.hostPort(), startTimeout, dir);
            PatroniCluster c = new PatroniCluster(settings, etcd);
            LiveClusters.add(c);
            try {
                c.startMembers(members, tags);
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

        private static int positive(String key, int seconds) {
            if (seconds < 1) {
                throw new IllegalArgumentException(key + " must be >= 1 second, got " + seconds);
            }
            return seconds;
        }

        private static String randomPassword() {
            byte[] b = new byte[12];
            RANDOM.nextBytes(b);
            return HexFormat.of().formatHex(b);
        }
    }
}
