package dev.replication.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.testkit.PatroniCluster;
import dev.replication.testkit.PatroniMember;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.replication.bench.BenchContext.DB;

// Over ~300 lines: the peers' processes (pgpool-II, HAProxy) beside their clusters, started, configured and
// stopped as one fixture for benchmark 8.
/**
 * One cluster of the peers benchmark with the library on it and the peer proxy in front of it:
 * the static testkit cluster with pgpool-II ({@link Static}), or a testkit Patroni cluster with
 * HAProxy ({@link OnPatroni}). Builds the peers for each row on pools the row closes.
 */
abstract class PeerCluster implements AutoCloseable {

    /** First row of the peers' own write-then-read rows (one per thread and peer). */
    static final long PEER_ROWS = 200_000;
    static final int PEER_ROW_COUNT = 200;
    /** Hibernate keeps a request's connection from its first statement until the EntityManager closes. */
    static final Map<String, Object> HOLD = Map.of("hibernate.connection.handling_mode", "DELAYED_ACQUISITION_AND_HOLD");

    final BenchContext ctx;
    final Replication lib;

    PeerCluster(BenchContext ctx, Replication lib) {
        this.ctx = ctx;
        this.lib = lib;
    }

    /** {@code static} or {@code patroni}: the key in results.json. */
    abstract String key();

    /** How the table names the cluster. */
    abstract String label();

    /** The proxy peers' keys on this cluster, in column order (pgpool, pgpool_tuned / haproxy). */
    abstract List<String> proxyKeys();

    /**
     * The peers: direct JDBC to one replica, the library, then the proxies asked for (a subset of
     * {@link #proxyKeys()} that are running); plain peers get new pools of {@code poolSize} on {@code pools}.
     */
    abstract List<Peer> peers(BaselinePools pools, int poolSize, int minIdle, Map<String, Object> driverProps,
            List<String> proxies);

    /** Node name of a server port. */
    abstract String nodeName(int port);

    /** Sets (or with zero removes) a replay delay on every replica; returns once they all have it. */
    abstract void applyDelay(Duration delay) throws Exception;

    /** The replica direct JDBC reads from; row 4 kills it. */
    abstract String victimName();

    abstract int victimPort();

    /** SIGKILLs the victim's PostgreSQL (postmaster and children). */
    abstract void killVictim();

    /** Whether something restarts the victim by itself (Patroni) or the benchmark must ({@link #restartVictim()}). */
    abstract boolean restartsItself();

    abstract void restartVictim();

    /** Whether the victim's PostgreSQL runs again (a new postmaster after the kill). */
    abstract boolean victimRunning();

    /** Waits until the victim replays again and every peer may use it (after row 4). */
    abstract void awaitHealed(Duration timeout) throws Exception;

    /** What is not installed: proxy key → the reason with the install command. */
    abstract Map<String, String> missing();

    Peer.Library libraryPeer() {
        return new Peer.Library("library", "library", lib);
    }

    /** Creates rows {@link #PEER_ROWS}.. on a primary connection and waits until the replicas have them. */
    static void seedPeerRows(Connection primary) throws SQLException {
        try (Statement st = primary.createStatement()) {
            st.execute("INSERT INTO item SELECT g, 0, 'peer-' || g FROM generate_series(" + PEER_ROWS + ", "
                    + (PEER_ROWS + PEER_ROW_COUNT - 1) + ") g ON CONFLICT (id) DO NOTHING");
        }
    }

    /** Waits until every replica of the library is usable. */
    void awaitLibraryReplicas(List<String> replicas, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            lib.monitor().checkNow();
            if (replicas.stream().allMatch(r -> lib.status().node(r).map(NodeStatus::usable).orElse(false))) {
                return;
            }
            Harness.sleep(250);
        }
        throw new IllegalStateException("library replicas not all usable: " + lib.status().describe());
    }

    /** The static testkit cluster (primary + 2 replicas) with pgpool-II, default and tuned. */
    static final class Static extends PeerCluster {
        /** Row 2's extra peer: pgpool tuned, writes on one pool, reads on another pool that never writes. */
        static final String READ_POOL = "pgpool_tuned_readpool";
        /** pgpool's settings for read-your-writes and a returning replica (each peer's best). */
        static final Map<String, String> TUNED = tuned();

        private final Pgpool pgpool;
        private final Pgpool tunedPool;
        private final String missing;

        private Static(BenchContext ctx, Replication lib, Pgpool pgpool, Pgpool tunedPool, String missing) {
            super(ctx, lib);
            this.pgpool = pgpool;
            this.tunedPool = tunedPool;
            this.missing = missing;
        }

        private static Map<String, String> tuned() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("disable_load_balance_on_write", "'trans_transaction'");
            m.put("sr_check_period", "1");
            m.put("delay_threshold", "1");
            m.put("auto_failback", "on");
            m.put("auto_failback_interval", "0");
            return m;
        }

        static Static start(BenchContext ctx) throws SQLException {
            try (Connection c = ctx.cluster().primary().connect(DB)) {
                seedPeerRows(c);
            }
            ctx.cluster().awaitReplicated(Duration.ofSeconds(30));
            Replication lib = ctx.library(ctx.cluster().replicas(), Map.of("replication.pool.max-size", "16"));
            if (Pgpool.installed().isEmpty()) {
                return new Static(ctx, lib, null, null, "not installed (" + Pgpool.INSTALL + ")");
            }
            List<Pgpool.Backend> backends = new ArrayList<>();
            backends.add(new Pgpool.Backend("127.0.0.1", ctx.cluster().primary().port(), true,
                    ctx.cluster().primary().name()));
            ctx.cluster().replicas().forEach(r -> backends.add(new Pgpool.Backend("127.0.0.1", r.port(), false, r.name())));
            Pgpool def = Pgpool.start("pgpool", backends, ctx.cluster().user(), ctx.cluster().password(), Map.of());
            Pgpool tuned;
            try {
                tuned = Pgpool.start("pgpool-tuned", backends, ctx.cluster().user(), ctx.cluster().password(), TUNED);
            } catch (RuntimeException e) {
                def.close();
                throw e;
            }
            return new Static(ctx, lib, def, tuned, null);
        }

        @Override
        String key() {
            return "static";
        }

        @Override
        String label() {
            return "static testkit cluster (PostgreSQL " + ctx.cluster().serverVersion() + ", primary + 2 replicas)";
        }

        @Override
        List<String> proxyKeys() {
            return List.of("pgpool", "pgpool_tuned");
        }

        Pgpool pgpool(String key) {
            return key.equals("pgpool") ? pgpool : tunedPool;
        }

        @Override
        List<Peer> peers(BaselinePools pools, int poolSize, int minIdle, Map<String, Object> driverProps,
                List<String> proxies) {
            List<Peer> out = new ArrayList<>();
            String user = ctx.cluster().user();
            String pw = ctx.cluster().password();
            EntityManagerFactory w = pools.plain(pools.pool("direct-w", ctx.cluster().primary().jdbcUrl(DB), false, poolSize,
                    minIdle, driverProps, user, pw));
            EntityManagerFactory r = pools.plain(pools.pool("direct-r", ctx.replica(0).jdbcUrl(DB), true, poolSize,
                    minIdle, driverProps, user, pw));
            out.add(new Peer.Plain("direct", "direct JDBC (" + ctx.replica(0).name() + ")", w, r, null));
            out.add(libraryPeer());
            if (pgpool != null) {
                for (String k : proxies.stream().filter(x -> !x.equals(READ_POOL)).toList()) {
                    Pgpool p = pgpool(k);
                    HikariDataSource ds = pools.pool(k, p.jdbcUrl(DB), false, poolSize, minIdle, driverProps, user, pw);
                    EntityManagerFactory one = pools.plain(ds, HOLD);
                    out.add(new Peer.Plain(k, k.equals("pgpool") ? "pgpool-II" : "pgpool-II tuned", one, one, p.process()));
                    if (k.equals("pgpool_tuned") && proxies.contains(READ_POOL)) {
                        // a reader with a pool of its own that never writes: only the lag check (delay_threshold) protects it
                        EntityManagerFactory readPool = pools.plain(pools.pool(READ_POOL, p.jdbcUrl(DB), false, poolSize,
                                minIdle, driverProps, user, pw));
                        out.add(new Peer.Plain(READ_POOL, "pgpool-II tuned, read pool", one, readPool, p.process()));
                    }
                }
            }
            return out;
        }

        @Override
        String nodeName(int port) {
            return ctx.nodeName(port);
        }

        @Override
        void applyDelay(Duration delay) {
            ctx.cluster().replicas().forEach(r -> r.setApplyDelay(delay));
        }

        private PgNode victim() {
            return ctx.replica(0);
        }

        @Override
        String victimName() {
            return victim().name();
        }

        @Override
        int victimPort() {
            return victim().port();
        }

        @Override
        void killVictim() {
            victim().kill();
        }

        @Override
        boolean restartsItself() {
            return false;
        }

        @Override
        void restartVictim() {
            victim().start();
        }

        @Override
        boolean victimRunning() {
            return victim().isRunning();
        }

        @Override
        void awaitHealed(Duration timeout) {
            if (!victim().isRunning()) {
                victim().start();
            }
            ctx.cluster().awaitReplicated(timeout);
            awaitLibraryReplicas(ctx.cluster().replicas().stream().map(PgNode::name).toList(), timeout);
        }

        @Override
        Map<String, String> missing() {
            return missing == null ? Map.of() : Map.of("pgpool", missing, "pgpool_tuned", missing);
        }

        @Override
        public void close() {
            if (pgpool != null) {
                pgpool.close();
            }
            if (tunedPool != null) {
                tunedPool.close();
            }
        }
    }

    /** A testkit Patroni cluster (etcd + 3 members) with HAProxy routing by Patroni's REST checks. */
    static final class OnPatroni extends PeerCluster {
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        final PatroniCluster patroni;
        final Haproxy haproxy;
        private final String missing;
        private final PatroniMember victim;
        private final String version;

        private OnPatroni(BenchContext ctx, Replication lib, PatroniCluster patroni, Haproxy haproxy, String missing,
                String version) {
            super(ctx, lib);
            this.version = version;
            this.patroni = patroni;
            this.haproxy = haproxy;
            this.missing = missing;
            String leader = patroni.leader().name();
            this.victim = patroni.members().stream().filter(m -> !m.name().equals(leader)).findFirst().orElseThrow();
        }

        /** Starts the Patroni cluster, seeds it, starts the library ({@code topology=patroni}) and HAProxy. */
        static OnPatroni start(BenchContext ctx) throws SQLException {
            PatroniCluster patroni = PatroniCluster.builder().members(3).setting("max_connections", "200").start();
            try {
                patroni.createDatabase(DB);
                String version;
                try (Connection c = patroni.leader().connect(DB); Statement st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("SHOW server_version")) {
                        rs.next();
                        version = rs.getString(1);
                    }
                    st.execute("CREATE TABLE item (id bigint PRIMARY KEY, val bigint NOT NULL, name varchar(64))");
                    st.execute("INSERT INTO item SELECT g, 0, 'item-' || g FROM generate_series(1, " + BenchContext.ROWS
                            + ") g");
                    seedPeerRows(c);
                    st.execute("ANALYZE item");
                }
                awaitReplayed(patroni, Duration.ofSeconds(60));
                Map<String, Object> props = new LinkedHashMap<>();
                props.put("replication.topology", "patroni");
                props.put("replication.patroni.urls", String.join(",", patroni.restUrls()));
                props.put("replication.primary.url", patroni.members().get(0).jdbcUrl(DB));
                props.put("replication.user", patroni.user());
                props.put("replication.password", patroni.password());
                props.put("replication.pool.max-size", "16");
                EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-routed", props);
                ctx.closeLater(emf::close);
                Replication lib = Replication.of(emf);
                Haproxy h = null;
                String missing = null;
                if (Haproxy.installed().isPresent()) {
                    h = Haproxy.start(patroni.members());
                } else {
                    missing = "not installed (" + Haproxy.INSTALL + ")";
                }
                OnPatroni c = new OnPatroni(ctx, lib, patroni, h, missing, version);
                c.awaitLibraryReplicas(c.replicaNames(), Duration.ofSeconds(60));
                return c;
            } catch (RuntimeException | SQLException e) {
                patroni.close();
                throw e;
            }
        }

        List<String> replicaNames() {
            String leader = patroni.leader().name();
            return patroni.members().stream().map(PatroniMember::name).filter(n -> !n.equals(leader)).toList();
        }

        /** Waits until every streaming replica replayed the leader's current position. */
        static void awaitReplayed(PatroniCluster patroni, Duration timeout) throws SQLException {
            long deadline = System.nanoTime() + timeout.toNanos();
            try (Connection c = patroni.leader().connect(); Statement st = c.createStatement()) {
                while (true) {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE replay_lsn >= pg_current_wal_lsn()),"
                            + " count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
                        rs.next();
                        if (rs.getLong(1) == rs.getLong(2) && rs.getLong(2) == patroni.members().size() - 1) {
                            return;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Patroni replicas did not replay within " + timeout);
                    }
                    Harness.sleep(100);
                }
            }
        }

        @Override
        String key() {
            return "patroni";
        }

        @Override
        String label() {
            return "testkit Patroni cluster (etcd + 3 Patroni members, PostgreSQL " + version + ")";
        }

        @Override
        List<String> proxyKeys() {
            return List.of("haproxy");
        }

        @Override
        List<Peer> peers(BaselinePools pools, int poolSize, int minIdle, Map<String, Object> driverProps,
                List<String> proxies) {
            List<Peer> out = new ArrayList<>();
            String user = patroni.user();
            String pw = patroni.password();
            PatroniMember leader = patroni.leader();
            EntityManagerFactory w = pools.plain(pools.pool("direct-w", leader.jdbcUrl(DB), false, poolSize, minIdle,
                    driverProps, user, pw));
            EntityManagerFactory r = pools.plain(pools.pool("direct-r", victim.jdbcUrl(DB), true, poolSize, minIdle,
                    driverProps, user, pw));
            out.add(new Peer.Plain("direct", "direct JDBC (" + victim.name() + ")", w, r, null));
            out.add(libraryPeer());
            if (haproxy != null && proxies.contains("haproxy")) {
                out.add(haproxyPeer(pools, poolSize, minIdle, driverProps));
            }
            return out;
        }

        Peer haproxyPeer(BaselinePools pools, int poolSize, int minIdle, Map<String, Object> driverProps) {
            EntityManagerFactory hw = pools.plain(pools.pool("haproxy-w", haproxy.jdbcUrl(true, DB), false, poolSize,
                    minIdle, driverProps, patroni.user(), patroni.password()));
            EntityManagerFactory hr = pools.plain(pools.pool("haproxy-r", haproxy.jdbcUrl(false, DB), true, poolSize,
                    minIdle, driverProps, patroni.user(), patroni.password()));
            return new Peer.Plain("haproxy", "HAProxy", hw, hr, haproxy.process());
        }

        @Override
        String nodeName(int port) {
            return patroni.members().stream().filter(m -> m.pgPort() == port).map(PatroniMember::name).findFirst()
                    .orElse("?" + port);
        }

        /** Through Patroni's dynamic configuration ({@code PATCH /config}), applied by every member on its next loop. */
        @Override
        void applyDelay(Duration delay) throws IOException, InterruptedException, SQLException {
            String value = delay.isZero() ? "null" : "\"" + delay.toMillis() + "ms\"";
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(patroni.leader().restUrl() + "/config"))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(
                            "{\"postgresql\":{\"parameters\":{\"recovery_min_apply_delay\":" + value + "}}}"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("PATCH /config: " + r.statusCode() + " " + r.body());
            }
            String want = delay.isZero() ? "0" : delay.toMillis() + "ms";
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (String name : replicaNames()) {
                while (true) {
                    try (Connection c = patroni.member(name).connect(); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SHOW recovery_min_apply_delay")) {
                        rs.next();
                        if (rs.getString(1).equals(want)) {
                            break;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(name + ": recovery_min_apply_delay not " + want + " after 30 s");
                    }
                    Harness.sleep(200);
                }
            }
        }

        @Override
        String victimName() {
            return victim.name();
        }

        @Override
        int victimPort() {
            return victim.pgPort();
        }

        PatroniMember victim() {
            return victim;
        }

        private volatile long killedPid;

        @Override
        void killVictim() {
            killedPid = victim.killPostgres();
        }

        @Override
        boolean victimRunning() {
            java.util.OptionalLong pid = victim.postmasterPid();
            return pid.isPresent() && pid.getAsLong() != killedPid;
        }

        @Override
        boolean restartsItself() {
            return true;
        }

        @Override
        void restartVictim() {
            // Patroni restarts it
        }

        @Override
        void awaitHealed(Duration timeout) throws SQLException {
            patroni.awaitMembersStreaming(timeout);
            awaitReplayed(patroni, timeout);
            awaitLibraryReplicas(replicaNames(), timeout);
            if (haproxy != null) {
                haproxy.awaitView(patroni.members(), timeout);
            }
        }

        @Override
        Map<String, String> missing() {
            return missing == null ? Map.of() : Map.of("haproxy", missing);
        }

        @Override
        public void close() {
            if (haproxy != null) {
                haproxy.close();
            }
            patroni.close();
        }
    }
}
