package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.util.List;

/**
 * Makes the first primary's data dir: a copy of the cached initdb template, its server files, no
 * standby configuration, and the superuser password set in single-user mode (the password goes
 * through stdin only and is masked in any error).
 */
public final class PrimarySetup {
    private PrimarySetup() {
    }

    /**
     * @param primary the primary (stopped; its data dir must not exist)
     * @param config the cluster configuration
     */
    public static void fromTemplate(ServerProcess primary, ClusterConfig config) {
        FileTree.copyDataDir(Templates.dataDir(config.binaries()), primary.dataDir(), false);
        config.account().chownTree(primary.dataDir());
        config.writeServerFiles(primary.dataDir(), primary.port());
        ServerConfig.writeRecovery(primary.dataDir(), null);
        setPasswordOffline(primary, config);
    }

    private static void setPasswordOffline(ServerProcess p, ClusterConfig config) {
        String password = config.password();
        String sql = "ALTER ROLE postgres WITH PASSWORD '" + password.replace("'", "''") + "';\n";
        Exec.Result r = Exec.run(config.account().wrap(List.of(config.binaries().postgres().toString(), "--single", "-D",
                p.dataDir().toString(), "-F", "-c", "exit_on_error=true", "postgres")), sql, p.nodeDir());
        if (!r.ok() || r.output().contains("ERROR")) {
            throw new PgClusterException(p.name() + ": setting the password in single-user mode failed (exit " + r.exitCode()
                    + "): " + r.output().replace(password, "******").trim());
        }
    }
}
