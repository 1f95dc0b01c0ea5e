package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One single-node etcd on 127.0.0.1 (client and peer port), run as the JVM's user, data and log in
 * its own directory; stop and start keep the data. Thread-safe (methods are synchronized).
 */
public final class EtcdServer {
    private final Path etcd;
    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private Process process;

    /**
     * @param etcd the etcd executable
     * @param dir its directory (created)
     */
    public EtcdServer(Path etcd, Path dir) {
        this.etcd = etcd;
        this.dir = FileTree.mkdirs(dir, "rwx------");
        this.clientPort = Ports.free();
        this.peerPort = Ports.free();
    }

    /** @return {@code http://127.0.0.1:<client port>} */
    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** @return {@code 127.0.0.1:<client port>} as Patroni's {@code etcd3.hosts} wants it */
    public String hostPort() {
        return "127.0.0.1:" + clientPort;
    }

    /** @return the pid, or -1 when not running */
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /**
     * Starts etcd and waits until {@code /health} says true.
     *
     * @param timeout the deadline
     */
    public synchronized void start(Duration timeout) {
        if (pid() > 0) {
            throw new PgClusterException("etcd " + endpoint() + " is already running (pid " + process.pid() + ")");
        }
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> cmd = List.of(etcd.toString(), "--name", "testkit", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "testkit=" + peer, "--initial-cluster-state", "new");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.resolve("etcd.log").toString())));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new PgClusterException("cannot start " + cmd + ": " + e, e);
        }
        StaleCleaner.recordProcess(dir, process.pid());
        Process p = process;
        Poll.until(timeout, () -> {
            if (!p.isAlive()) {
                throw new PgClusterException("etcd exited with code " + p.exitValue() + "; log " + dir.resolve("etcd.log")
                        + ":\n" + tail());
            }
            PatroniRest.Response r = PatroniRest.get(endpoint() + "/health", Duration.ofSeconds(1));
            return r.status() == 200 && r.body().contains("true") ? Boolean.TRUE : null;
        }, () -> "etcd " + endpoint() + " not healthy; log:\n" + tail());
    }

    /** Stops etcd: SIGTERM, SIGKILL after 10 s. Idempotent. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        long pid = process.pid();
        Signals.send("TERM", List.of(pid));
        try {
            Signals.awaitGone("etcd", List.of(pid), Duration.ofSeconds(10));
        } catch (PgClusterException e) {
            Signals.send("KILL", List.of(pid));
            Signals.awaitGone("etcd", List.of(pid), Duration.ofSeconds(10));
        }
        process = null;
    }

    /**
     * Deletes one key (v3 JSON gateway).
     *
     * @param key the key, e.g. {@code /service/test/members/pg3}
     */
    public void deleteKey(String key) {
        String b64 = Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
        try {
            PatroniRest.Response r = PatroniRest.post(endpoint() + "/v3/kv/deleterange", Map.of("key", b64),
                    Duration.ofSeconds(5));
            if (r.status() != 200) {
                throw new PgClusterException("etcd: delete " + key + ": HTTP " + r.status() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new PgClusterException("etcd: delete " + key + ": " + e, e);
        }
    }

    private String tail() {
        return new ServerLog(dir.resolve("etcd.log")).tail();
    }
}
