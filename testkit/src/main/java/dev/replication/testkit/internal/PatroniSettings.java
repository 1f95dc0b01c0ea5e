package dev.replication.testkit.internal;

import dev.replication.testkit.PatroniTags;
import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What all members of one Patroni cluster share, and the writer of one member's configuration
 * file. The file is JSON, which Patroni's YAML loader reads as YAML (no hand-made escaping).
 * Immutable apart from the written files.
 *
 * @param env the programs found on this machine
 * @param account the OS account PostgreSQL and Patroni run as
 * @param scope the Patroni scope (cluster name)
 * @param ttl leader key TTL in seconds
 * @param loopWait seconds between HA loops
 * @param retryTimeout DCS and PostgreSQL retry timeout in seconds
 * @param maximumLagOnFailover bytes a replica may lag and still be promoted
 * @param superuserPassword the {@code postgres} password
 * @param replicationPassword the {@code replicator} password
 * @param parameters extra PostgreSQL parameters (all members)
 * @param etcdHosts etcd client address, {@code 127.0.0.1:PORT}
 * @param startTimeout how long a start may take
 * @param dir the cluster directory
 */
public record PatroniSettings(PatroniEnv.Found env, OsAccount account, String scope, int ttl, int loopWait,
        int retryTimeout, long maximumLagOnFailover, String superuserPassword, String replicationPassword,
        Map<String, String> parameters, String etcdHosts, Duration startTimeout, Path dir) {
    /** The superuser name. */
    public static final String SUPERUSER = "postgres";
    /** The replication user name. */
    public static final String REPLICATION_USER = "replicator";
    /** Patroni's DCS namespace. */
    public static final String NAMESPACE = "/service/";

    @Override
    public String toString() {
        return "PatroniSettings[scope=" + scope + ", ttl=" + ttl + ", loopWait=" + loopWait + ", retryTimeout="
                + retryTimeout + ", maximumLagOnFailover=" + maximumLagOnFailover + ", etcd=" + etcdHosts + ", dir=" + dir
                + "]";
    }

    /**
     * @param member a member name
     * @return the member's key in etcd
     */
    public String memberKey(String member) {
        return NAMESPACE + scope + "/members/" + member;
    }

    /**
     * Writes (or rewrites) a member's configuration file, mode 0600, owned by the server account.
     *
     * @param name member name
     * @param memberDir its directory
     * @param pgPort PostgreSQL port
     * @param restPort REST API port
     * @param tags its tags
     * @return the file
     */
    public Path writeConfig(String name, Path memberDir, int pgPort, int restPort, PatroniTags tags) {
        Map<String, Object> dcsPg = new LinkedHashMap<>();
        dcsPg.put("use_pg_rewind", true);
        dcsPg.put("use_slots", true);
        Map<String, Object> dcsParams = new LinkedHashMap<>();
        dcsParams.put("max_connections", 100);
        dcsParams.put("shared_buffers", "32MB");
        dcsParams.put("wal_keep_size", "128MB");
        dcsParams.put("wal_receiver_status_interval", "1s");
        dcsParams.put("hot_standby_feedback", "on");
        dcsParams.put("fsync", "off");
        dcsParams.put("synchronous_commit", "on");
        dcsParams.putAll(parameters);
        dcsPg.put("parameters", dcsParams);

        Map<String, Object> dcs = new LinkedHashMap<>();
        dcs.put("ttl", ttl);
        dcs.put("loop_wait", loopWait);
        dcs.put("retry_timeout", retryTimeout);
        dcs.put("maximum_lag_on_failover", maximumLagOnFailover);
        dcs.put("postgresql", dcsPg);

        Map<String, Object> bootstrap = new LinkedHashMap<>();
        bootstrap.put("dcs", dcs);
        bootstrap.put("initdb", List.of(Map.of("encoding", "UTF8"), Map.of("locale", "C"), "data-checksums"));

        Map<String, Object> pw = Map.of("username", SUPERUSER, "password", superuserPassword);
        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("listen", "127.0.0.1:" + pgPort);
        pg.put("connect_address", "127.0.0.1:" + pgPort);
        pg.put("data_dir", memberDir.resolve("data").toString());
        pg.put("bin_dir", env.pgBin().toString());
        pg.put("pgpass", memberDir.resolve("pgpass").toString());
        pg.put("authentication", Map.of("superuser", pw,
                "replication", Map.of("username", REPLICATION_USER, "password", replicationPassword),
                "rewind", pw));
        pg.put("parameters", Map.of("unix_socket_directories", memberDir.toString()));
        pg.put("pg_hba", List.of("local all all trust",
                "host replication " + REPLICATION_USER + " 127.0.0.1/32 scram-sha-256",
                "host all all 127.0.0.1/32 scram-sha-256"));
        pg.put("basebackup", List.of(Map.of("checkpoint", "fast")));

        Map<String, Object> tagMap = new LinkedHashMap<>();
        if (tags.nofailover()) {
            tagMap.put("nofailover", true);
        }
        if (tags.noloadbalance()) {
            tagMap.put("noloadbalance", true);
        }

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("scope", scope);
        root.put("namespace", NAMESPACE);
        root.put("name", name);
        root.put("restapi", Map.of("listen", "127.0.0.1:" + restPort, "connect_address", "127.0.0.1:" + restPort));
        root.put("etcd3", Map.of("hosts", etcdHosts));
        root.put("bootstrap", bootstrap);
        root.put("postgresql", pg);
        root.put("tags", tagMap);

        Path file = memberDir.resolve("patroni.yml");
        Path tmp = memberDir.resolve("patroni.yml.tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, PatroniRest.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root),
                    StandardCharsets.UTF_8);
            account.chown(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PgClusterException(name + ": cannot write " + file + ": " + e, e);
        }
        return file;
    }
}
