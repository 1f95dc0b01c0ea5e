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
 * processes that are still PostgreSQL), as are helper processes (Patroni, etcd) recorded in a
 * node directory's {@code process} file (only while that pid still has the recorded start time),
 * and the directory deleted.
 */
public final class StaleCleaner {
    private static final System.Logger LOG = System.getLogger("dev.replication.testkit");
    /** Name of the owner file in a cluster directory. */
    public static final String OWNER_FILE = "owner";
    /** Name of the file in a node directory recording a helper process (pid and start time). */
    public static final String PROCESS_FILE = "process";

    private StaleCleaner() {
    }

    /** @return the owner line for this JVM */
    public static String ownerLine() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + " " + self.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    /**
     * Records a helper process (e.g. Patroni, etcd) in {@code nodeDir}, so that a later JVM kills it
     * if this one dies without closing its cluster.
     *
     * @param nodeDir a directory directly under a cluster directory
     * @param pid the process
     */
    public static void recordProcess(Path nodeDir, long pid) {
        long start = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(i -> i.toEpochMilli()).orElse(0L);
        try {
            Files.writeString(nodeDir.resolve(PROCESS_FILE), pid + " " + start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "testkit: cannot record process " + pid + " in " + nodeDir + ": " + e);
        }
    }

    /**
     * @param nodeDir a node directory
     * @return the helper process recorded there, if it is still the same live process
     */
    public static Optional<Long> recordedProcess(Path nodeDir) {
        try {
            String[] parts = Files.readString(nodeDir.resolve(PROCESS_FILE), StandardCharsets.UTF_8).trim().split("\\s+");
            long pid = Long.parseLong(parts[0]);
            long start = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
            if (!Signals.alive(pid)) {
                return Optional.empty();
            }
            long actual = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(i -> i.toEpochMilli()).orElse(0L);
            return start != 0 && actual != 0 && Math.abs(actual - start) < 2000 ? Optional.of(pid) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
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
                        recordedProcess(node).ifPresent(pids::add);
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
