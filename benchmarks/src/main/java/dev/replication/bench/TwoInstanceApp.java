package dev.replication.bench;

import dev.replication.NodeStatus;
import dev.replication.Promotion;
import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.spi.RoutingListener;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import org.hibernate.Session;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One application instance of the two-instance failover run ({@link TwoInstanceFailover}): a JVM of its
 * own with the library ({@code replication.failover=promote}, defaults otherwise) writing one row of
 * {@code write_log(instance, seq, port, tli)} every {@value #PAUSE_MILLIS} ms, the server's port and
 * current timeline recorded by the server in the same transaction. Reports on stdout, one line each
 * (other output goes to stderr):
 * <ul>
 * <li>{@code @@ACK <seq> <port> <tli>} after each commit that returned</li>
 * <li>{@code @@FAIL <seq> <exception>} for each write that did not</li>
 * <li>{@code @@STATUS <primary> <node>:<U|X>,...} every 200 ms (U: usable)</li>
 * <li>{@code @@PRIMARY <old> <new> <promotedByUs>} and {@code @@PROMOTED <old> <new> <possiblyLostBytes>}</li>
 * </ul>
 * Stops when its stdin ends. Arguments: instance name, database user, then {@code name=jdbcUrl} per node,
 * the primary first (named {@code primary} in the library); or, for a Patroni topology
 * ({@code replication.topology=patroni}, Patroni promotes), {@code primary=<any member's URL>} and
 * {@code patroni=<comma-separated REST API URLs>}. The password comes from the environment variable
 * {@value #PASSWORD_ENV}.
 */
public final class TwoInstanceApp {

    static final String PASSWORD_ENV = "TWOJVM_DB_PASSWORD";
    static final long PAUSE_MILLIS = 15;
    /** The timeline of the server's current WAL position (primary only). */
    static final String TIMELINE_SQL = "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int";

    private static final List<Logger> QUIET = List.of(
            Logger.getLogger("org.hibernate"), Logger.getLogger("com.zaxxer.hikari"), Logger.getLogger("org.postgresql"));

    private TwoInstanceApp() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "jdk");
        QUIET.forEach(l -> l.setLevel(Level.OFF));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String instance = args[0];
        String user = args[1];
        Map<String, String> nodes = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            nodes.put(kv[0], kv[1]);
        }
        String primaryUrl = nodes.remove("primary");
        String patroni = nodes.remove("patroni");
        Map<String, String> mode = patroni == null ? Map.of("replication.failover", "promote")
                : Map.of("replication.topology", "patroni", "replication.patroni.urls", patroni);
        Replication lib = open(primaryUrl, nodes, user, System.getenv(PASSWORD_ENV), mode);
        lib.addListener(new RoutingListener() {
            @Override
            public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
                out.println("@@PRIMARY " + oldPrimary + " " + newPrimary + " " + promotedByUs);
            }

            @Override
            public void promoted(Promotion p) {
                out.println("@@PROMOTED " + p.oldPrimary() + " " + p.newPrimary() + " " + p.possiblyLostBytes());
            }
        });
        AtomicBoolean stop = new AtomicBoolean();
        Thread status = new Thread(() -> {
            while (!stop.get()) {
                out.println("@@STATUS " + statusLine(lib));
                Harness.sleep(200);
            }
        }, "status");
        status.setDaemon(true);
        status.start();
        Thread stdin = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                while (in.readLine() != null) {
                    // the driver only closes stdin
                }
            } catch (IOException ignored) {
                // treated as the end
            }
            stop.set(true);
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        long seq = 0;
        while (!stop.get()) {
            long s = ++seq;
            try {
                int[] acc = lib.write(em -> em.unwrap(Session.class).doReturningWork(c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO write_log (instance, seq, port, tli)"
                            + " VALUES (?, ?, inet_server_port(), " + TIMELINE_SQL + ") RETURNING port, tli")) {
                        ps.setString(1, instance);
                        ps.setLong(2, s);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return new int[] {rs.getInt(1), rs.getInt(2)};
                        }
                    }
                }));
                out.println("@@ACK " + s + " " + acc[0] + " " + acc[1]);
            } catch (RuntimeException e) {
                out.println("@@FAIL " + s + " " + e.getClass().getSimpleName());
            }
            Harness.sleep(PAUSE_MILLIS);
        }
        lib.entityManagerFactory().close();
    }

    /** {@code <primary> <node>:<U|X>,...}: the library's primary and which nodes it counts as usable. */
    static String statusLine(Replication lib) {
        var st = lib.status();
        return st.primary() + " " + st.nodes().stream().map(n -> n.name() + ":" + (usable(n) ? "U" : "X"))
                .collect(Collectors.joining(","));
    }

    private static boolean usable(NodeStatus n) {
        return n.up() && n.usable();
    }

    /**
     * An EMF of the library ({@code bench-routed} unit) over the primary (named {@code primary}) and the
     * named replicas, with {@code replication.*} overrides; the monitor checked once.
     */
    static Replication open(String primaryUrl, Map<String, String> replicas, String user, String password,
                            Map<String, String> overrides) {
        ReplicationConfig.Builder b = ReplicationConfig.builder().primary(primaryUrl).credentials(user, password);
        replicas.forEach(b::replica);
        overrides.forEach(b::set);
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-routed",
                new LinkedHashMap<>(b.toProperties()));
        Replication r = Replication.of(emf);
        r.monitor().checkNow();
        return r;
    }
}
