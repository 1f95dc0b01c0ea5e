package dev.replication.demo;

import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster the demo runs on: an embedded primary + 2 streaming replicas started by the testkit,
 * or an existing cluster given by {@code -Ddemo.primary} / {@code -Ddemo.replicas}. Either way it
 * sets the library's {@code replication.*} node properties (a {@code -D} already given wins) and
 * tells whether a call really ran on the primary or a replica. Faults are injected only into the
 * embedded cluster. Not thread-safe to open or close; the queries are safe once opened.
 */
final class DemoCluster implements AutoCloseable {

    private final PgCluster embedded; // null against an existing cluster
    private final String primaryName;
    private final List<String> replicaNames;

    private DemoCluster(PgCluster embedded, String primaryName, List<String> replicaNames) {
        this.embedded = embedded;
        this.primaryName = primaryName;
        this.replicaNames = replicaNames;
    }

    /** The existing cluster when {@code -Ddemo.primary} is set, else a freshly started embedded one; then {@link #configure}. */
    static DemoCluster open() {
        String external = System.getProperty("demo.primary");
        return external == null || external.isBlank() ? startEmbedded() : attach(external.trim());
    }

    private static DemoCluster startEmbedded() {
        Console.line("Setup (embedded cluster from the testkit: real postgres processes on 127.0.0.1)");
        PgCluster cluster;
        try (Console.Progress p = Console.progress("starting primary + 2 streaming replicas")) {
            cluster = PgCluster.builder().replicas(2).start();
            p.result("PostgreSQL " + cluster.serverVersion() + " up");
        }
        return new DemoCluster(cluster, cluster.primary().name(), cluster.replicas().stream().map(PgNode::name).toList());
    }

    /**
     * Creates the demo's database on the embedded cluster and sets the library's node properties
     * for it; nothing on an existing cluster (attaching to it set them already).
     */
    void configure() {
        if (embedded == null) {
            return;
        }
        String db;
        try (Console.Progress p = Console.progress("creating database 'demo' and waiting for the replicas to have it")) {
            db = embedded.createDatabase("demo");
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("replication.primary.name", primaryName);
        props.put("replication.primary.url", embedded.primary().jdbcUrl(db));
        props.put("replication.user", embedded.user());
        // by reference: a literal replication.password would be in the property maps Hibernate prints
        props.put("replication.password-file", passwordFile(embedded.password()).toString());
        props.put("replication.replicas", String.join(",", replicaNames));
        for (PgNode r : embedded.replicas()) {
            props.put("replication.replica." + r.name() + ".url", r.jdbcUrl(db));
        }
        // promote mode: only on the embedded cluster, never on someone's real one
        props.put("replication.failover", "promote");
        props.put("replication.failover.primary-failures", "3");
        props.forEach(Demo::setIfAbsent);
        for (PgNode n : embedded.nodes()) {
            Console.line("    %s: %s port %d", n.name(), n.name().equals(primaryName) ? "primary" : "replica", n.port());
        }
    }

    private static DemoCluster attach(String primaryUrl) {
        Console.line("Setup (existing cluster from -Ddemo.primary / -Ddemo.replicas: fault injection is SKIPPED)");
        String replicas = System.getProperty("demo.replicas", "");
        String primaryName = "primary";
        List<String> names = new ArrayList<>();
        Demo.setIfAbsent("replication.primary.name", primaryName);
        Demo.setIfAbsent("replication.primary.url", primaryUrl);
        int i = 0;
        for (String url : replicas.split(",")) {
            if (!url.isBlank()) {
                String name = "replica" + (++i);
                names.add(name);
                Demo.setIfAbsent("replication.replica." + name + ".url", url.trim());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("-Ddemo.replicas: give at least one replica JDBC URL (comma-separated)");
        }
        Demo.setIfAbsent("replication.replicas", String.join(",", names));
        if (System.getProperty("demo.user") != null) {
            Demo.setIfAbsent("replication.user", System.getProperty("demo.user"));
        }
        if (System.getProperty("demo.password-env") != null) {
            Demo.setIfAbsent("replication.password-env", System.getProperty("demo.password-env"));
        } else if (System.getProperty("demo.password") != null) {
            Demo.setIfAbsent("replication.password-file", passwordFile(System.getProperty("demo.password")).toString());
        }
        Console.line("    %s: %s", primaryName, redact(primaryUrl));
        for (String n : names) {
            Console.line("    %s: %s", n, redact(System.getProperty("replication.replica." + n + ".url")));
        }
        Console.line("    (the demo drops and creates its tables demo_account and demo_order there)");
        return new DemoCluster(null, primaryName, List.copyOf(names));
    }

    /** A file only this user can read, holding {@code password}, removed when the JVM exits. */
    private static Path passwordFile(String password) {
        try {
            Path f = Files.createTempFile("demo-password", ".txt",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            f.toFile().deleteOnExit();
            Files.writeString(f, password);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the demo's password file", e);
        }
    }

    /** Hides any query string of a JDBC URL (it may carry a password). */
    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }

    /** True on the embedded cluster: the only one the demo pauses, kills or promotes. */
    boolean injectsFaults() {
        return embedded != null;
    }

    /**
     * The embedded cluster, for fault injection.
     *
     * @throws IllegalStateException against an existing cluster
     */
    PgCluster embedded() {
        if (embedded == null) {
            throw new IllegalStateException("existing cluster: the demo does not inject faults into it");
        }
        return embedded;
    }

    /** The primary's name at start (a failover does not change it). */
    String primaryName() {
        return primaryName;
    }

    List<String> replicaNames() {
        return replicaNames;
    }

    /** The server that answered is a primary (and, on the embedded cluster, the node the library chose). */
    boolean isPrimary(Served<?> s) {
        return !s.inRecovery() && portMatches(s);
    }

    /** The server that answered is one of the replicas (and, on the embedded cluster, the node the library chose). */
    boolean isReplica(Served<?> s) {
        return s.inRecovery() && replicaNames.contains(s.node()) && portMatches(s);
    }

    /** On the embedded cluster: the node the library chose is the server that answered. */
    private boolean portMatches(Served<?> s) {
        if (embedded == null) {
            return true;
        }
        return embedded.nodes().stream().anyMatch(n -> n.name().equals(s.node()) && n.port() == s.port());
    }

    /** Stops the embedded cluster; nothing against an existing one. */
    @Override
    public void close() {
        if (embedded != null) {
            try (Console.Progress p = Console.progress("stopping the embedded cluster")) {
                embedded.close();
            }
        }
    }
}
