package dev.replication.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Each cluster directory holds an {@code owner} file naming the JVM (pid and start time) that
 * made it. A directory whose owner is gone was left by a killed run: its servers are killed (only
 * processes that are still PostgreSQL) and the directory deleted.
 */
public final class StaleCleaner {
    private static final System.Logger LOG = System.getLogger("dev.replication.testkit");
    /** Name of the owner file in a cluster directory. */
    public static final String OWNER_FILE = "owner";

    private StaleCleaner() {
    }

    /** @return the owner line for this JVM */
    public static String ownerLine() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + " " + self.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    /**
     * Cleans every stale cluster directory under {@code clustersDir}.
     *
     * @param clustersDir the directory holding cluster directories
     * @return the directories removed
     */
    public static List<Path> clean(Path clustersDir) {
        List<Path> removed = new ArrayList<>();
        List<Path> dirs;
        try (Stream<Path> s = Files.list(clustersDir)) {
            dirs = s.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path dir : dirs) {
            try {
                if (ownerAlive(dir)) {
                    continue;
                }
                List<Long> pids = new ArrayList<>();
                try (Stream<Path> nodes = Files.list(dir)) {
                    for (Path node : (Iterable<Path>) nodes::iterator) {
                        Path pidFile = node.resolve("data/postmaster.pid");
                        if (Files.isRegularFile(pidFile)) {
                            long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
                            if (Signals.alive(pid) && Signals.isPostgres(pid)) {
                                pids.addAll(Signals.tree(pid));
                            }
                        }
                    }
                }
                if (!pids.isEmpty()) {
                    Signals.send("KILL", pids);
                    Signals.awaitGone("stale cluster " + dir, pids, Duration.ofSeconds(10));
                }
                try (Stream<Path> nodes = Files.list(dir)) {
                    nodes.forEach(node -> Signals.releaseSharedMemory(node.resolve("data")));
                }
                FileTree.delete(dir);
                removed.add(dir);
                LOG.log(System.Logger.Level.INFO, "testkit: removed stale cluster dir {0} (killed {1} leftover processes)",
                        dir, pids.size());
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "testkit: could not clean stale cluster dir " + dir + ": " + e);
            }
        }
        return removed;
    }

    private static boolean ownerAlive(Path dir) throws IOException {
        Path owner = dir.resolve(OWNER_FILE);
        if (!Files.isRegularFile(owner)) {
            // being created right now, or garbage: give a fresh dir a minute
            return Files.getLastModifiedTime(dir).toMillis() > System.currentTimeMillis() - 60_000;
        }
        String[] parts = Files.readString(owner, StandardCharsets.UTF_8).trim().split("\\s+");
        long pid = Long.parseLong(parts[0]);
        long start = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        long actual = h.get().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        return start == 0 || actual == 0 || Math.abs(actual - start) < 2000;
    }
}
