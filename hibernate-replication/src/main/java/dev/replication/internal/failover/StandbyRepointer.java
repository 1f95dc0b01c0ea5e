package dev.replication.internal.failover;

import dev.replication.NodeRole;
import dev.replication.ReplicationProperty;
import dev.replication.internal.Failures;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.cluster.ClusterTopology;
import dev.replication.internal.health.ClusterMonitor;
import dev.replication.internal.health.Observation;
import dev.replication.internal.observe.EventPublisher;
import org.postgresql.Driver;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code replication.failover.repoint-standbys}: once the primary changed, points every standby still
 * on an older timeline at the new primary ({@code ALTER SYSTEM SET primary_conninfo} with the new
 * primary's host and port, every other parameter kept, then {@code pg_reload_conf()}; PostgreSQL 13+
 * restarts the WAL receiver without a server restart). The standby then follows the new timeline
 * and the health policy readmits it as usual. A standby that received WAL the new primary never had
 * cannot follow; it is reported once as stranded and stays out of reads.
 * <p>
 * Decisions run on the monitor thread; the SQL runs on the failover thread. Idempotent, so several
 * application instances may repoint the same standby.
 */
final class StandbyRepointer {

    /** A failed attempt is retried after this long (logged and published again only when the reason changes). */
    static final long RETRY_MILLIS = 10_000;
    /** A repointed standby still on an old timeline after this long is reported as stranded. */
    static final long STRANDED_MILLIS = 30_000;

    private final ClusterTopology topology;
    private final ClusterMonitor monitor;
    private final EventPublisher events;
    private final Executor executor;
    /** Monitor thread only. */
    private final Map<Node, Attempt> attempts = new IdentityHashMap<>();

    /** One repointing of a standby to one primary; {@code done} and {@code error} are set back on the monitor thread. */
    private static final class Attempt {
        final Node primary;
        final long startedMillis;
        boolean done;
        String error;
        boolean strandedReported;

        Attempt(Node primary, long startedMillis) {
            this.primary = primary;
            this.startedMillis = startedMillis;
        }
    }

    StandbyRepointer(ClusterTopology topology, ClusterMonitor monitor, EventPublisher events, Executor executor) {
        this.topology = topology;
        this.monitor = monitor;
        this.events = events;
        this.executor = executor;
    }

    /** Looks at one round in which the primary answered as a primary. Monitor thread. */
    void afterRound(Map<Node, Observation> results) {
        Node primary = topology.primary();
        long timeline = topology.primaryTimeline();
        long now = System.currentTimeMillis();
        results.forEach((n, o) -> {
            if (n == primary || n.fenced() || !o.ok() || o.role() != NodeRole.REPLICA || o.timeline() < 0
                    || timeline < 0) {
                return;
            }
            Attempt a = attempts.get(n);
            if (o.timeline() >= timeline) {
                if (a != null && a.done && a.error == null) {
                    Log.LOG.standbyFollows(n.name(), primary.name(), o.timeline(), now - a.startedMillis);
                    events.nodeState(n.name(), "following", primary.name());
                }
                attempts.remove(n);
                return;
            }
            if (a == null || a.primary != primary || a.done && a.error != null && now - a.startedMillis > RETRY_MILLIS) {
                start(n, primary, now);
            } else if (a.done && a.error == null && !a.strandedReported && now - a.startedMillis > STRANDED_MILLIS) {
                a.strandedReported = true;
                Log.LOG.standbyStranded(n.name(), primary.name(), o.timeline(), timeline, (now - a.startedMillis) / 1000);
                events.nodeState(n.name(), "stranded", "on timeline " + o.timeline() + " after being pointed at '"
                        + primary.name() + "' (timeline " + timeline + ")");
            }
        });
    }

    /**
     * The primary just changed: repoints at once every standby last seen up on an older timeline,
     * instead of waiting for the next round of checks. Monitor thread.
     */
    void afterSwitch() {
        Node primary = topology.primary();
        long timeline = topology.primaryTimeline();
        long now = System.currentTimeMillis();
        for (Node n : topology.nodes()) {
            Node.Health h = n.health();
            if (n != primary && !n.fenced() && h.up() && h.observedRole() == NodeRole.REPLICA && h.timeline() >= 0
                    && h.timeline() < timeline && !attempts.containsKey(n)) {
                start(n, primary, now);
            }
        }
    }

    private void start(Node standby, Node primary, long now) {
        Attempt previous = attempts.get(standby);
        String previousError = previous != null && previous.primary == primary ? previous.error : null;
        Attempt a = new Attempt(primary, now);
        attempts.put(standby, a);
        try {
            executor.execute(() -> {
                String error = null;
                try {
                    Server target = address(primary);
                    repoint(standby, target);
                    Log.LOG.standbyRepointed(standby.name(), primary.name(), target.host, target.port);
                    events.nodeState(standby.name(), "repointed", "to '" + primary.name() + "'");
                } catch (SQLException | RuntimeException e) {
                    error = Failures.firstLine(e);
                    String hint = e instanceof SQLException s && "42501".equals(s.getSQLState())
                            ? " (the role needs superuser, or GRANT ALTER SYSTEM ON PARAMETER primary_conninfo and"
                            + " pg_read_all_settings)" : "";
                    if (!error.equals(previousError)) {
                        Log.LOG.standbyRepointFailed(standby.name(), primary.name(), error + hint,
                                ReplicationProperty.FAILOVER_REPOINT_STANDBYS.key(), RETRY_MILLIS / 1000);
                        events.nodeState(standby.name(), "repoint-failed", error + hint);
                    }
                }
                String result = error;
                monitor.execute(() -> {
                    a.done = true;
                    a.error = result;
                });
            });
        } catch (RejectedExecutionException e) {
            attempts.remove(standby);
        }
    }

    private record Server(String host, int port) {
    }

    /**
     * Where standbys reach {@code primary}: the first host and port of its JDBC URL, or, for a node
     * given as a data source, the address and port the server answers on.
     */
    private static Server address(Node primary) throws SQLException {
        String url = primary.config().url();
        if (url != null) {
            Properties p = Driver.parseURL(url, null);
            if (p != null && p.getProperty("PGHOST") != null) {
                String host = p.getProperty("PGHOST").split(",")[0];
                String port = p.getProperty("PGPORT", "5432").split(",")[0];
                return new Server(host, Integer.parseInt(port));
            }
        }
        try (Connection c = primary.connections().openDirect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT host(inet_server_addr()), inet_server_port()")) {
            rs.next();
            if (rs.getString(1) == null) {
                throw new SQLException("'" + primary.name() + "' is reached through a Unix socket; its TCP address"
                        + " is unknown");
            }
            return new Server(rs.getString(1), rs.getInt(2));
        }
    }

    private static void repoint(Node standby, Server target) throws SQLException {
        try (Connection c = standby.connections().openDirect(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            try (ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int,"
                    + " pg_is_in_recovery(), current_setting('primary_conninfo')")) {
                rs.next();
                if (rs.getInt(1) < 130000) {
                    throw new SQLException("PostgreSQL 13 or later is needed (older servers read primary_conninfo"
                            + " only at a restart)");
                }
                if (!rs.getBoolean(2)) {
                    throw new SQLException("it is not in recovery any more");
                }
                ConnInfo current;
                try {
                    current = ConnInfo.parse(rs.getString(3));
                } catch (IllegalArgumentException e) {
                    throw new SQLException("its primary_conninfo cannot be read: " + e.getMessage());
                }
                if (current.isEmpty()) {
                    throw new SQLException("its primary_conninfo is empty (it does not stream)");
                }
                String conninfo = current.withServer(target.host, target.port).format();
                st.execute("ALTER SYSTEM SET primary_conninfo = E'" + conninfo.replace("\\", "\\\\").replace("'", "''") + "'");
            }
            st.execute("SELECT pg_reload_conf()");
        }
    }
}
