package dev.replication.bench;

import dev.replication.testkit.PatroniMember;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * HAProxy ({@code /usr/sbin/haproxy}, Debian package {@code haproxy}) in front of a Patroni
 * cluster, configured as Patroni's documentation shows (its {@code haproxy.cfg}): TCP mode, one
 * port for the primary checked with {@code GET /primary} and one for the replicas checked with
 * {@code GET /replica} (round-robin) on each member's REST port, {@code inter 3s fall 3 rise 2
 * on-marked-down shutdown-sessions}, {@code retries 2}, {@code timeout connect 4s}. Started in the
 * foreground ({@code -db}) as the peers' account, its configuration in a temporary directory.
 */
final class Haproxy implements AutoCloseable {

    static final String INSTALL = "apt-get install -y haproxy";
    /** The server defaults of Patroni's example configuration. */
    static final String SERVER_DEFAULTS = "inter 3s fall 3 rise 2 on-marked-down shutdown-sessions";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final PeerProcess process;
    private final int primaryPort;
    private final int replicasPort;
    private final int statsPort;
    private final String config;

    private Haproxy(PeerProcess process, int primaryPort, int replicasPort, int statsPort, String config) {
        this.process = process;
        this.primaryPort = primaryPort;
        this.replicasPort = replicasPort;
        this.statsPort = statsPort;
        this.config = config;
    }

    static Optional<Path> installed() {
        return PeerProcess.executable("haproxy");
    }

    /** Writes the configuration for {@code members}, checks it ({@code haproxy -c}) and starts HAProxy. */
    static Haproxy start(List<PatroniMember> members) {
        Path bin = installed().orElseThrow(() -> new IllegalStateException("haproxy not installed: " + INSTALL));
        Path dir = PeerProcess.newDir("haproxy");
        int primary = PeerProcess.freePort();
        int replicas = PeerProcess.freePort();
        int stats = PeerProcess.freePort();
        StringBuilder cfg = new StringBuilder("""
                # written by the hibernate-replication benchmarks, after Patroni's haproxy.cfg
                global
                    maxconn 200

                defaults
                    mode tcp
                    retries 2
                    timeout client 30m
                    timeout connect 4s
                    timeout server 30m
                    timeout check 5s

                """);
        cfg.append("listen stats\n    mode http\n    bind 127.0.0.1:").append(stats)
                .append("\n    stats enable\n    stats uri /\n\n");
        cfg.append("listen primary\n    bind 127.0.0.1:").append(primary).append('\n')
                .append("    option httpchk GET /primary\n    http-check expect status 200\n")
                .append("    default-server ").append(SERVER_DEFAULTS).append('\n');
        members.forEach(m -> cfg.append("    server ").append(m.name()).append(" 127.0.0.1:").append(m.pgPort())
                .append(" maxconn 100 check port ").append(m.restPort()).append('\n'));
        cfg.append("\nlisten replicas\n    bind 127.0.0.1:").append(replicas).append('\n')
                .append("    balance roundrobin\n")
                .append("    option httpchk GET /replica\n    http-check expect status 200\n")
                .append("    default-server ").append(SERVER_DEFAULTS).append('\n');
        members.forEach(m -> cfg.append("    server ").append(m.name()).append(" 127.0.0.1:").append(m.pgPort())
                .append(" maxconn 100 check port ").append(m.restPort()).append('\n'));
        Path file = PeerProcess.write(dir, "haproxy.cfg", cfg.toString());
        PeerProcess p = PeerProcess.start("haproxy", dir, List.of(bin.toString(), "-db", "-f", file.toString()), "TERM");
        Haproxy h = new Haproxy(p, primary, replicas, stats, cfg.toString());
        try {
            h.awaitView(members, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    /**
     * Waits until HAProxy's checks agree with Patroni: on the primary port only the leader UP, on
     * the replicas port every other running member UP and the leader DOWN. (HAProxy starts every
     * server UP and needs {@code fall} failed checks to take one out.)
     */
    void awaitView(List<PatroniMember> members, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "nothing yet";
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException("haproxy exited:\n" + process.logTail());
            }
            try {
                Map<String, String> prim = states("primary");
                Map<String, String> repl = states("replicas");
                last = "primary " + prim + ", replicas " + repl;
                boolean ok = true;
                for (PatroniMember m : members) {
                    boolean leader = "leader".equals(m.role());
                    ok &= prim.getOrDefault(m.name(), "").startsWith(leader ? "UP" : "DOWN");
                    ok &= repl.getOrDefault(m.name(), "").startsWith(leader ? "DOWN" : "UP");
                }
                if (ok) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                last = e.toString();
            }
            Harness.sleep(250);
        }
        throw new IllegalStateException("haproxy's checks do not agree with Patroni after " + timeout + ": " + last);
    }

    /** Server name → status ({@code UP}, {@code DOWN}, {@code UP 1/2}, ...) of one listener, from the stats page's CSV. */
    Map<String, String> states(String listener) throws IOException {
        HttpResponse<String> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/;csv"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        Map<String, String> out = new TreeMap<>();
        String[] lines = r.body().split("\n");
        List<String> head = List.of(lines[0].replaceFirst("^# ", "").split(","));
        int px = head.indexOf("pxname");
        int sv = head.indexOf("svname");
        int st = head.indexOf("status");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f.length > st && f[px].equals(listener) && !f[sv].equals("FRONTEND") && !f[sv].equals("BACKEND")) {
                out.put(f[sv], f[st]);
            }
        }
        return out;
    }

    int primaryPort() {
        return primaryPort;
    }

    int replicasPort() {
        return replicasPort;
    }

    String jdbcUrl(boolean primary, String db) {
        return "jdbc:postgresql://127.0.0.1:" + (primary ? primaryPort : replicasPort) + "/" + db;
    }

    PeerProcess process() {
        return process;
    }

    String config() {
        return config;
    }

    @Override
    public void close() {
        process.stop();
    }
}
