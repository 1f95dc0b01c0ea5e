package dev.replication.testkit.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

/**
 * Where the testkit keeps things. Clusters live under {@code testkit.base.dir} (default
 * {@code <java.io.tmpdir>/hibernate-replication-testkit-<user>}); unpacked binaries and initdb
 * templates under {@code testkit.cache.dir} (default {@code ~/.cache/hibernate-replication-testkit},
 * or {@code <base>/cache} when running as root so the server account can reach it).
 */
public final class Layout {
    private Layout() {
    }

    /** @return the base directory, created with mode 0755 */
    public static Path baseDir() {
        String configured = System.getProperty("testkit.base.dir");
        Path base;
        if (configured != null && !configured.isBlank()) {
            base = Path.of(configured).toAbsolutePath();
        } else {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp")).toAbsolutePath();
            if (OsAccount.get().switchesUser() && !traversableByOthers(tmp)) {
                tmp = Path.of("/tmp");
            }
            base = tmp.resolve("hibernate-replication-testkit-" + System.getProperty("user.name", "user"));
        }
        return FileTree.mkdirs(base, "rwxr-xr-x");
    }

    /** @return the directory holding one directory per cluster */
    public static Path clustersDir() {
        return FileTree.mkdirs(baseDir().resolve("clusters"), "rwxr-xr-x");
    }

    /** @return the cache directory for binaries and templates */
    public static Path cacheDir() {
        String configured = System.getProperty("testkit.cache.dir");
        if (configured != null && !configured.isBlank()) {
            return FileTree.mkdirs(Path.of(configured).toAbsolutePath(), "rwxr-xr-x");
        }
        if (OsAccount.get().switchesUser()) {
            return FileTree.mkdirs(baseDir().resolve("cache"), "rwxr-xr-x");
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
