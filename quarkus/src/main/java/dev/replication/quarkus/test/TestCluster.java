package dev.replication.quarkus.test;

import dev.replication.quarkus.internal.QuarkusSettings;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * For tests: the running application's primary and replicas, as its {@code replication.*} keys and Quarkus data sources
 * name them, with the faults a test needs: pause and resume WAL replay on a replica, kill a node (SIGKILL to its
 * postmaster and every child). Works on the cluster that the extension's Dev Services started (nothing of the testkit
 * is needed on the application's class path: it speaks SQL to the nodes through their data sources) and on any local
 * cluster whose data-source user is a superuser (pausing replay and reading the server's data directory need it).
 * <pre>{@code
 * TestCluster cluster = TestCluster.ofApplication();
 * try (TestCluster.Paused paused = cluster.pauseReplayOnReplicas()) {
 *     // writes now stay unseen on every replica until the block ends
 * }
 * cluster.kill("replica2");            // stays down until the application (and its Dev Services) restart
 * }</pre>
 * Call it from test code running inside the application ({@code @QuarkusTest} methods). Thread-safe.
 */
public final class TestCluster {

    private final String primary;
    private final Map<String, String> dataSources;

    private TestCluster(Map<String, String> dataSources) {
        this.dataSources = dataSources;
        this.primary = dataSources.keySet().iterator().next();
    }

    /** The nodes of the running application ({@code replication.primary.*}, {@code replication.replicas}). */
    public static TestCluster ofApplication() {
        return new TestCluster(QuarkusSettings.nodeDataSources(ConfigProvider.getConfig()));
    }

    /** The primary node's name ({@code replication.primary.name}, {@code primary} unless set). */
    public String primary() {
        return primary;
    }

    /** The replica nodes' names, in {@code replication.replicas} order. */
    public List<String> replicas() {
        return new ArrayList<>(dataSources.keySet()).subList(1, dataSources.size());
    }

    /** The node's Quarkus data source name ({@code <default>} for the unnamed one). */
    public String dataSource(String node) {
        String ds = dataSources.get(node);
        if (ds == null) {
            throw new IllegalArgumentException("No node '" + node + "': the nodes are " + dataSources.keySet());
        }
        return ds;
    }

    /** The TCP port the node's server listens on ({@code inet_server_port()}), as statements report it. */
    public int port(String node) {
        return query(node, "SELECT inet_server_port()", rs -> rs.getInt(1));
    }

    /** Pauses WAL replay on a replica: it keeps receiving WAL, but what the primary commits stays unseen there. */
    public void pauseReplay(String replica) {
        replicaOnly(replica);
        query(replica, "SELECT pg_wal_replay_pause()", rs -> null);
        // pausing takes effect at the next record; wait until the server says so
        await("replay paused on " + replica, Duration.ofSeconds(10),
                () -> "paused".equals(query(replica, "SELECT pg_get_wal_replay_pause_state()", rs -> rs.getString(1))));
    }

    /** Resumes WAL replay on a replica. */
    public void resumeReplay(String replica) {
        replicaOnly(replica);
        query(replica, "SELECT pg_wal_replay_resume()", rs -> null);
    }

    /** Pauses replay on every replica; closing the result resumes it. */
    public Paused pauseReplayOnReplicas() {
        List<String> paused = new ArrayList<>();
        try {
            for (String r : replicas()) {
                pauseReplay(r);
                paused.add(r);
            }
        } catch (RuntimeException e) {
            paused.forEach(this::resumeReplay);
            throw e;
        }
        return () -> paused.forEach(this::resumeReplay);
    }

    /** Paused replay, resumed by {@link #close()}. */
    public interface Paused extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits until every running replica whose replay is not paused has replayed the primary's current WAL position
     * (a replica that refuses connections, such as a killed one, is not waited for).
     *
     * @throws IllegalStateException when that does not happen within {@code timeout}
     */
    public void awaitReplayed(Duration timeout) {
        String lsn = query(primary, "SELECT pg_current_wal_lsn()::text", rs -> rs.getString(1));
        for (String r : replicas()) {
            if (refusesConnections(r)) {
                continue;
            }
            await(r + " replayed " + lsn, timeout, () -> query(r, "SELECT pg_get_wal_replay_pause_state() <> 'not paused'"
                    + " OR pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn", rs -> rs.getBoolean(1)));
        }
    }

    /**
     * Simulates a crash of a node: SIGKILL to its postmaster and all their children, then waits until they are gone. The
     * node stays down (a Dev Services cluster until the application restarts).
     */
    public void kill(String node) {
        String dataDirectory = query(node, "SELECT current_setting('data_directory')", rs -> rs.getString(1));
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(Path.of(dataDirectory, "postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot read the postmaster's pid of node '" + node + "' from " + dataDirectory
                    + "/postmaster.pid (the test must run on the server's machine, as its user or root): " + e, e);
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isEmpty()) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>();
        all.add(postmaster.get());
        postmaster.get().descendants().forEach(all::add);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("Process " + p.pid() + " of node '" + node + "' still runs 10 s after SIGKILL", e);
            }
        }
    }

    /** Whether the node's server refuses TCP connections (it is not running). */
    public boolean refusesConnections(String node) {
        try {
            query(node, "SELECT 1", rs -> null);
            return false;
        } catch (IllegalStateException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.ConnectException) {
                    return true;
                }
            }
            throw e;
        }
    }

    private void replicaOnly(String node) {
        if (!replicas().contains(node)) {
            throw new IllegalArgumentException("'" + node + "' is not a replica: the replicas are " + replicas());
        }
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String node, String sql, Row<T> row) {
        AgroalDataSource ds = AgroalDataSourceUtil.dataSourceIfActive(dataSource(node)).orElseThrow(() ->
                new IllegalStateException("No active Quarkus data source '" + dataSource(node) + "' for node '" + node + "'"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return row.read(rs);
        } catch (SQLException e) {
            throw new IllegalStateException("'" + sql + "' on node '" + node + "' failed: " + e.getMessage(), e);
        }
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for " + what, e);
            }
        }
    }

    @Override
    public String toString() {
        return "TestCluster" + new LinkedHashMap<>(dataSources);
    }
}
