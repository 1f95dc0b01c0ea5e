package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An initdb'd data directory per set of binaries, made once and cached, so a cluster start copies
 * it instead of running initdb.
 */
public final class Templates {
    private static final ReentrantLock JVM_LOCK = new ReentrantLock();

    private Templates() {
    }

    /**
     * @param bin the binaries
     * @return the template data directory (owned by the server account; never modified)
     */
    public static Path dataDir(PgBinaries bin) {
        Path dir = FileTree.mkdirs(Layout.cacheDir().resolve("templates"), "rwxr-xr-x");
        Path target = dir.resolve(bin.key());
        if (Files.isRegularFile(target.resolve("data/PG_VERSION"))) {
            return target.resolve("data");
        }
        JVM_LOCK.lock();
        try (FileChannel ch = FileChannel.open(dir.resolve(bin.key() + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock();
            assert lock.isValid();
            if (Files.isRegularFile(target.resolve("data/PG_VERSION"))) {
                return target.resolve("data");
            }
            Path tmp = FileTree.mkdirs(dir.resolve(bin.key() + ".tmp-" + UUID.randomUUID()), "rwxr-xr-x");
            try {
                OsAccount account = OsAccount.get();
                account.chown(tmp);
                Exec.Result r = Exec.run(account.wrap(List.of(bin.initdb().toString(), "-D", tmp.resolve("data").toString(),
                        "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")), null, tmp);
                if (!r.ok()) {
                    throw new PgClusterException("initdb (" + bin.initdb() + ", as user " + account.user() + ") failed with exit "
                            + r.exitCode() + ": " + r.output().trim());
                }
                FileTree.moveIntoPlace(tmp, target);
            } finally {
                FileTree.delete(tmp);
            }
            return target.resolve("data");
        } catch (IOException e) {
            throw new PgClusterException("cannot create the initdb template in " + target + ": " + e, e);
        } finally {
            JVM_LOCK.unlock();
        }
    }
}
