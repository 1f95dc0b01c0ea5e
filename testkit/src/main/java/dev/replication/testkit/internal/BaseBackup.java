package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A hot base backup without pg_basebackup: {@code pg_backup_start()}, a file copy of the running
 * primary's data dir, {@code pg_backup_stop()} on the same connection, and the returned label
 * written as {@code backup_label}. WAL is not copied: the standby streams it from the primary
 * (which keeps {@code wal_keep_size} of it).
 */
public final class BaseBackup {
    private BaseBackup() {
    }

    /**
     * @param primary a superuser connection to the running primary, used for start and stop
     * @param primaryData the primary's data dir
     * @param target the new data dir (must not exist)
     * @param major the server's major version
     */
    public static void take(Connection primary, Path primaryData, Path target, int major) {
        boolean modern = major >= 15;
        boolean started = false;
        try (Statement st = primary.createStatement()) {
            st.execute(modern ? "SELECT pg_backup_start('testkit', true)" : "SELECT pg_start_backup('testkit', true, false)");
            started = true;
            FileTree.copyDataDir(primaryData, target, true);
            String label;
            String spcmap;
            try (ResultSet rs = st.executeQuery(modern ? "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)"
                    : "SELECT labelfile, spcmapfile FROM pg_stop_backup(false, false)")) {
                rs.next();
                label = rs.getString(1);
                spcmap = rs.getString(2);
            }
            started = false;
            ServerConfig.write(target.resolve("backup_label"), label);
            if (spcmap != null && !spcmap.isEmpty()) {
                ServerConfig.write(target.resolve("tablespace_map"), spcmap);
            }
        } catch (SQLException e) {
            throw new PgClusterException("base backup of " + primaryData + " failed: " + e.getMessage(), e);
        } finally {
            if (started) {
                try (Statement st = primary.createStatement()) {
                    st.execute(modern ? "SELECT pg_backup_stop(false)" : "SELECT pg_stop_backup(false, false)");
                } catch (SQLException ignored) {
                    // the backup ends with the session anyway
                }
            }
        }
    }
}
