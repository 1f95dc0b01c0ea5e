package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Makes data directories of standbys: cold copies of a stopped primary at cluster start, hot base
 * backups of a running primary later, and the standby configuration ({@code standby.signal},
 * {@code primary_conninfo}) that points one at its upstream. Nothing here launches a server.
 */
public final class ReplicaSetup {
    private ReplicaSetup() {
    }

    /**
     * Copies a cleanly stopped primary's data dir to each replica, in parallel, with the
     * replica's own server files.
     *
     * @param primary the stopped primary
     * @param replicas the replicas (their data dirs must not exist)
     * @param config the cluster configuration
     */
    public static void coldCopies(ServerProcess primary, List<ServerProcess> replicas, ClusterConfig config) {
        List<CompletableFuture<Void>> copies = new ArrayList<>();
        for (ServerProcess r : replicas) {
            copies.add(CompletableFuture.runAsync(() -> {
                FileTree.copyDataDir(primary.dataDir(), r.dataDir(), false);
                config.account().chownTree(r.dataDir());
                config.writeServerFiles(r.dataDir(), r.port());
            }, runnable -> {
                Thread t = new Thread(runnable, "testkit-copy-" + r.name());
                t.setDaemon(true);
                t.start();
            }));
        }
        for (CompletableFuture<Void> f : copies) {
            try {
                f.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
    }

    /**
     * Takes a hot base backup of a running primary into a replica's data dir and configures the
     * replica to stream from it.
     *
     * @param primary the running primary
     * @param primarySql SQL access to it
     * @param replica the replica (its data dir must not exist)
     * @param config the cluster configuration
     */
    public static void hotCopy(ServerProcess primary, NodeSql primarySql, ServerProcess replica, ClusterConfig config) {
        try (Connection c = primarySql.internal(5, 600)) {
            BaseBackup.take(c, primary.dataDir(), replica.dataDir(), config.binaries().major());
        } catch (SQLException e) {
            throw new PgClusterException(primary.name() + ": cannot connect for a base backup: " + e.getMessage(), e);
        }
        config.account().chownTree(replica.dataDir());
        config.writeServerFiles(replica.dataDir(), replica.port());
        follow(replica, primary, config);
    }

    /**
     * Writes a replica's standby configuration: stream from {@code upstream}'s current port.
     *
     * @param replica the replica
     * @param upstream the server to stream from
     * @param config the cluster configuration
     */
    public static void follow(ServerProcess replica, ServerProcess upstream, ClusterConfig config) {
        ServerConfig.writeRecovery(replica.dataDir(), config.standbyConninfo(upstream.port(), replica.name()));
    }
}
