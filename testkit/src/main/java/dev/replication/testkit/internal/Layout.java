package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the testkit keeps things. Clusters live under {@link #baseDir()}; unpacked binaries and
 * initdb templates under {@code testkit.cache.dir} (default {@code ~/.cache/hibernate-replication-testkit},
 * or {@code <java.io.tmpdir>/hibernate-replication-testkit-root/cache} when running as root so the
 * server account can reach it).
 */
public final class Layout {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Layout() {
    }

    /** Minimum free space for using /dev/shm (memory) for cluster data. */
    private static final long SHM_MIN_FREE = 2L << 30;

    /**
     * @return the base directory, created with mode 0755: {@code testkit.base.dir} if set, else
     *     {@code /dev/shm/hibernate-replication-testkit-<user>} when /dev/shm is a writable
     *     memory file system with at least 2 GiB free (data dir copies are several times faster
     *     there), else {@code <java.io.tmpdir>/hibernate-replication-testkit-<user>}
     */
    public static Path baseDir() {
        String configured = System.getProperty("testkit.base.dir");
        if (configured != null && !configured.isBlank()) {
            return FileTree.mkdirs(Path.of(configured).toAbsolutePath(), "rwxr-xr-x");
        }
        Path shm = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() >= SHM_MIN_FREE
                    && (!OsAccount.get().switchesUser() || traversableByOthers(shm))) {
                return FileTree.mkdirs(shm.resolve(dirName()), "rwxr-xr-x");
            }
        } catch (Exception e) {
            // fall back to the temp dir
        }
        return FileTree.mkdirs(tmpBase(), "rwxr-xr-x");
    }

    /** @return every directory that may hold cluster directories of this user (for stale cleanup) */
    public static List<Path> allClustersDirs() {
        List<Path> out = new ArrayList<>();
        out.add(clustersDir());
        for (Path p : List.of(Path.of("/dev/shm").resolve(dirName()).resolve("clusters"), tmpBase().resolve("clusters"))) {
            if (Files.isDirectory(p) && !out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private static String dirName() {
        return "hibernate-replication-testkit-" + System.getProperty("user.name", "user");
    }

    private static Path tmpBase() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp")).toAbsolutePath();
        if (OsAccount.get().switchesUser() && !traversableByOthers(tmp)) {
            tmp = Path.of("/tmp");
        }
        return tmp.resolve(dirName());
    }

    /** @return the directory holding one directory per cluster */
    public static Path clustersDir() {
        return FileTree.mkdirs(baseDir().resolve("clusters"), "rwxr-xr-x");
    }

    /**
     * Creates a new cluster directory under {@link #clustersDir()}, named after this JVM, with the
     * {@link StaleCleaner#OWNER_FILE owner file} that marks it as this JVM's.
     *
     * @return the new directory
     */
    public static Path newClusterDir() {
        Path dir = FileTree.mkdirs(clustersDir().resolve("c" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet()
                + "-" + Integer.toHexString(RANDOM.nextInt(0x10000))), "rwxr-xr-x");
        try {
            Files.writeString(dir.resolve(StaleCleaner.OWNER_FILE), StaleCleaner.ownerLine(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            FileTree.delete(dir);
            throw new PgClusterException("cannot write " + dir.resolve(StaleCleaner.OWNER_FILE) + ": " + e, e);
        }
        return dir;
    }

    /** @return the cache directory for binaries and templates */
    public static Path cacheDir() {
        String configured = System.getProperty("testkit.cache.dir");
        if (configured != null && !configured.isBlank()) {
            return FileTree.mkdirs(Path.of(configured).toAbsolutePath(), "rwxr-xr-x");
        }
        if (OsAccount.get().switchesUser()) {
            return FileTree.mkdirs(tmpBase().resolve("cache"), "rwxr-xr-x");
        }
        return FileTree.mkdirs(Path.of(System.getProperty("user.home"), ".cache", "hibernate-replication-testkit"),
                "rwxr-xr-x");
    }

    private static boolean traversableByOthers(Path dir) {
        try {
            for (Path p = dir; p != null; p = p.getParent()) {
                if (Files.exists(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
