package dev.replication.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * pgpool-II ({@code /usr/sbin/pgpool}, Debian package {@code pgpool2}) in streaming-replication
 * mode in front of a primary and its replicas, started in the foreground ({@code -n -D}) as the
 * peers' account with a configuration of its own in a temporary directory (see
 * {@code shared/notes/pgpool.md}): health checks every second with retries, the streaming check
 * as {@code postgres}, the password in {@code pool_passwd} as {@code TEXT} (the servers want
 * SCRAM, which pgpool can only answer with the password itself), reads on the replicas only
 * ({@code backend_weight} 0 on the primary, as the library and HAProxy's replicas port do).
 * Everything else keeps pgpool's defaults unless {@code extra} sets it.
 */
final class Pgpool implements AutoCloseable {

    static final String INSTALL = "apt-get install -y pgpool2";

    /**
     * One backend: its address, whether it is the primary, and a standby's {@code application_name}
     * (pgpool's {@code auto_failback} finds a standby in the primary's {@code pg_stat_replication} by it).
     */
    record Backend(String host, int port, boolean primary, String applicationName) {
    }

    /** One row of {@code SHOW pool_nodes}. */
    record NodeRow(int port, String status, String role, long selects) {
    }

    private final String name;
    private final PeerProcess process;
    private final int port;
    private final String user;
    private final String password;
    private final Map<String, String> settings;

    private Pgpool(String name, PeerProcess process, int port, String user, String password, Map<String, String> settings) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.user = user;
        this.password = password;
        this.settings = settings;
    }

    /** The pgpool executable, or empty with the reason in {@link #INSTALL}. */
    static Optional<Path> installed() {
        return PeerProcess.executable("pgpool");
    }

    /**
     * Writes the configuration and starts pgpool; waits (30 s) until {@code SHOW pool_nodes}
     * shows the primary and every node {@code up}.
     *
     * @param extra settings added to (or replacing) the base ones, e.g. {@code disable_load_balance_on_write}
     */
    static Pgpool start(String name, List<Backend> backends, String user, String password, Map<String, String> extra) {
        Path bin = installed().orElseThrow(() -> new IllegalStateException("pgpool not installed: " + INSTALL));
        Path dir = PeerProcess.newDir(name);
        int port = PeerProcess.freePort();
        int pcp = PeerProcess.freePort();
        String run = dir.toString();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("backend_clustering_mode", "'streaming_replication'");
        s.put("listen_addresses", "'127.0.0.1'");
        s.put("port", String.valueOf(port));
        s.put("socket_dir", "'" + run + "'");
        s.put("pcp_listen_addresses", "'127.0.0.1'");
        s.put("pcp_port", String.valueOf(pcp));
        s.put("pcp_socket_dir", "'" + run + "'");
        s.put("wd_ipc_socket_dir", "'" + run + "'");
        s.put("pid_file_name", "'" + run + "/pgpool.pid'");
        s.put("logdir", "'" + run + "'");
        for (int i = 0; i < backends.size(); i++) {
            Backend b = backends.get(i);
            s.put("backend_hostname" + i, "'" + b.host() + "'");
            s.put("backend_port" + i, String.valueOf(b.port()));
            s.put("backend_weight" + i, b.primary() ? "0" : "1");
            s.put("backend_flag" + i, "'ALLOW_TO_FAILOVER'");
            s.put("backend_application_name" + i, "'" + b.applicationName() + "'");
        }
        s.put("enable_pool_hba", "off");
        s.put("pool_passwd", "'" + run + "/pool_passwd'");
        s.put("sr_check_user", "'" + user + "'");
        s.put("sr_check_password", "''");
        s.put("sr_check_database", "'postgres'");
        s.put("health_check_period", "1");
        s.put("health_check_timeout", "5");
        s.put("health_check_user", "'" + user + "'");
        s.put("health_check_password", "''");
        s.put("health_check_database", "'postgres'");
        s.put("health_check_max_retries", "3");
        s.put("health_check_retry_delay", "1");
        s.putAll(extra);
        StringBuilder conf = new StringBuilder("# written by the hibernate-replication benchmarks\n");
        s.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        PeerProcess.write(dir, "pgpool.conf", conf.toString());
        PeerProcess.write(dir, "pool_passwd", user + ":TEXT" + password + "\n");
        PeerProcess.write(dir, "pcp.conf", "");
        PeerProcess.write(dir, "pool_hba.conf", "");
        PeerProcess p = PeerProcess.start(name, dir, List.of(bin.toString(), "-n", "-D", "-f", run + "/pgpool.conf",
                "-F", run + "/pcp.conf", "-a", run + "/pool_hba.conf"), "INT");
        Pgpool pool = new Pgpool(name, p, port, user, password, s);
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            String last = "nothing yet";
            while (true) {
                if (!p.alive()) {
                    throw new IllegalStateException(name + " exited at start:\n" + p.logTail());
                }
                try {
                    List<NodeRow> rows = pool.nodes();
                    last = rows.toString();
                    if (rows.size() == backends.size() && rows.stream().allMatch(r -> r.status().equals("up"))
                            && rows.stream().anyMatch(r -> r.role().equals("primary"))) {
                        return pool;
                    }
                } catch (SQLException e) {
                    last = e.getMessage();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " not ready in 30 s: " + last + "\n" + p.logTail());
                }
                Harness.sleep(200);
            }
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    PeerProcess process() {
        return process;
    }

    /** The settings written to pgpool.conf (values as written, quoted strings included). */
    Map<String, String> settings() {
        return settings;
    }

    /** {@code SHOW pool_nodes} through pgpool, on a connection of its own. */
    List<NodeRow> nodes() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        p.setProperty("ApplicationName", "bench-pgpool-check");
        p.setProperty("preferQueryMode", "simple"); // pgpool answers its SHOW commands only in the simple protocol
        List<NodeRow> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), p); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW pool_nodes")) {
            while (rs.next()) {
                out.add(new NodeRow(Integer.parseInt(rs.getString("port")), rs.getString("status"), rs.getString("role"),
                        Long.parseLong(rs.getString("select_cnt"))));
            }
        }
        return out;
    }

    /** The status pgpool gives the node on {@code port} ({@code up}, {@code down}, ...), or the error. */
    String status(int port) {
        try {
            return nodes().stream().filter(r -> r.port() == port).map(NodeRow::status).findFirst().orElse("absent");
        } catch (SQLException e) {
            return "error: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        process.stop();
    }

    @Override
    public String toString() {
        return name + " on 127.0.0.1:" + port;
    }
}
