package dev.replication.bench;

import dev.replication.testkit.internal.OsAccount;
import dev.replication.testkit.internal.Signals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A peer program (pgpool-II, HAProxy) started by the benchmark the way the testkit starts
 * PostgreSQL: in the foreground, as the testkit's unprivileged account when the JVM is root
 * ({@link OsAccount}: {@code setpriv}, else {@code runuser}), its configuration and log in a
 * temporary directory given to that account, on loopback ports. Stopped by PID ({@link #stop()}),
 * and by a JVM shutdown hook for whatever is still running when the JVM exits; the directory is
 * deleted with it.
 */
final class PeerProcess implements AutoCloseable {

    private static final Set<PeerProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(PeerProcess::stopQuietly),
                "peer-process-cleanup"));
    }

    private final String name;
    private final Path dir;
    private final Process process;
    private final String stopSignal;

    private PeerProcess(String name, Path dir, Process process, String stopSignal) {
        this.name = name;
        this.dir = dir;
        this.process = process;
        this.stopSignal = stopSignal;
    }

    /** A new temporary directory, owned by the account peers run as. */
    static Path newDir(String prefix) {
        try {
            Path d = Files.createTempDirectory("bench-" + prefix + "-");
            OsAccount.get().chown(d);
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file into a peer's directory, readable only by the account peers run as. */
    static Path write(Path dir, String file, String text) {
        try {
            Path p = dir.resolve(file);
            Files.writeString(p, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            OsAccount.get().chown(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code cmd} (a foreground program) as the peers' account, output to {@code dir/<name>.log}.
     *
     * @param stopSignal what {@link #stop()} sends first ({@code INT} for pgpool's fast shutdown, {@code TERM})
     */
    static PeerProcess start(String name, Path dir, List<String> cmd, String stopSignal) {
        ProcessBuilder pb = new ProcessBuilder(OsAccount.get().wrap(cmd)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("LC_ALL", "C");
        try {
            PeerProcess p = new PeerProcess(name, dir, pb.start(), stopSignal);
            LIVE.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + cmd, e);
        }
    }

    /** A free TCP port on the loopback interface (closed again; taken by the peer right after). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The program's own PID: the launched process when the account switch execs, else its child. */
    long pid() {
        if (OsAccount.get().execs()) {
            return process.pid();
        }
        return process.toHandle().children().findFirst().map(ProcessHandle::pid).orElse(process.pid());
    }

    boolean alive() {
        return process.isAlive();
    }

    /** CPU time (user + system, ns) of the program and all its live descendants, from /proc. */
    long cpuNanos() {
        long ticks = 0;
        for (long p : Signals.tree(pid())) {
            try {
                String stat = Files.readString(Path.of("/proc/" + p + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields 14 (utime) and 15 (stime) of proc(5); f[0] is field 3
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException ignored) {
                // the process ended meanwhile
            }
        }
        return ticks * 10_000_000L; // USER_HZ = 100 on Linux
    }

    /** The resident set size summed over the program's processes, MiB (shared pages counted in each). */
    double rssMiB() {
        long kb = 0;
        for (long p : Signals.tree(pid())) {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/" + p + "/status"))) {
                    if (l.startsWith("VmRSS:")) {
                        kb += Long.parseLong(l.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // the process ended meanwhile
            }
        }
        return kb / 1024.0;
    }

    /** How many processes the program runs now. */
    int processes() {
        return Signals.tree(pid()).size();
    }

    /** The last lines of its output. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Sends the stop signal to the program's PID, waits up to 10 s, then SIGKILLs whatever of its
     * process tree is left; deletes its directory.
     */
    void stop() {
        List<Long> tree = Signals.tree(pid());
        if (!tree.isEmpty()) {
            Signals.send(stopSignal, List.of(pid()));
            try {
                Signals.awaitGone(name + " stop", tree, Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                Signals.send("KILL", tree);
            }
        }
        process.destroyForcibly();
        LIVE.remove(this);
        deleteTree(dir);
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("stopping " + name + " failed: " + e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The program {@code name} in /usr/sbin, /usr/bin or on the PATH; system property
     * {@code bench.peers.<name>} names the executable instead (a path that does not exist makes it
     * "not installed", which is how that path of the benchmark is tried).
     */
    static Optional<Path> executable(String name) {
        String configured = System.getProperty("bench.peers." + name);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured.trim());
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        Stream<String> dirs = Stream.concat(Stream.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"),
                Stream.of(String.valueOf(System.getenv("PATH")).split(":")));
        return dirs.filter(d -> !d.isBlank()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + ", " + dir + "]";
    }
}
