package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Process control of one Patroni member: launches {@code patroni <config>} as the server account,
 * knows Patroni's pid and (from {@code postmaster.pid}) its postmaster's, and signals them. A
 * postmaster outlives a killed Patroni (it is re-parented to PID 1), so every postmaster pid seen
 * is remembered and {@link #killLeftovers()} kills those still running this member's data dir.
 * Thread-safe (methods are synchronized).
 */
public final class PatroniProcess {
    private final String name;
    private final Path dir;
    private final Path config;
    private final PatroniSettings settings;
    private final ServerLog log;
    private final Set<Long> postmasters = new LinkedHashSet<>();
    private long pid = -1;

    /**
     * @param name the member name
     * @param dir the member directory (holds the config, {@code data}, the log)
     * @param config the member's configuration file
     * @param settings the cluster's settings
     */
    public PatroniProcess(String name, Path dir, Path config, PatroniSettings settings) {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.settings = settings;
        this.log = new ServerLog(dir.resolve("patroni.log"));
    }

    /** @return the data directory */
    public Path dataDir() {
        return dir.resolve("data");
    }

    /** @return Patroni's log (its stdout and stderr, which include PostgreSQL's) */
    public Path logFile() {
        return log.file();
    }

    /** @return the last part of the log */
    public String logTail() {
        return log.tail();
    }

    /** @return Patroni's pid while it runs */
    public synchronized OptionalLong patroniPid() {
        return pid > 0 && Signals.alive(pid) ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** @return the running postmaster of this member's data dir, if any */
    public synchronized OptionalLong postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(dataDir().resolve("postmaster.pid"), StandardCharsets.UTF_8);
            long p = Long.parseLong(lines.get(0).trim());
            if (runsOurDataDir(p)) {
                postmasters.add(p);
                return OptionalLong.of(p);
            }
        } catch (IOException | RuntimeException e) {
            // no pid file, or being rewritten
        }
        return OptionalLong.empty();
    }

    /** Launches Patroni; fails when it is already running. */
    public synchronized void launch() {
        if (patroniPid().isPresent()) {
            throw new PgClusterException(name + ": Patroni is already running (pid " + pid + ")");
        }
        List<String> cmd = settings.account().wrap(List.of(settings.env().patroni().toString(), config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.file().toString())));
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("PYTHONUNBUFFERED", "1");
        try {
            log.markLaunch();
            Process p = pb.start();
            pid = p.pid();
            if (!settings.account().execs()) {
                long wrapper = pid;
                pid = Poll.until(Duration.ofSeconds(5), () -> ProcessHandle.of(wrapper)
                        .flatMap(h -> h.children().findFirst()).map(ProcessHandle::pid).orElse(null),
                        () -> name + ": Patroni did not start under the account switch");
            }
        } catch (IOException e) {
            throw new PgClusterException(name + ": cannot start " + cmd + ": " + e, e);
        }
        StaleCleaner.recordProcess(dir, pid);
    }

    /** @return what Patroni wrote since the last launch, for error messages */
    public String sinceLaunch() {
        return log.sinceLaunch();
    }

    /**
     * SIGKILLs the postmaster and all its children (Patroni keeps running and restarts it).
     *
     * @return the killed postmaster's pid
     */
    public synchronized long killPostgres() {
        long pm = postmasterPid().orElseThrow(() -> new PgClusterException(name + ": PostgreSQL is not running"));
        List<Long> tree = Signals.tree(pm);
        Signals.send("KILL", tree);
        Signals.awaitGone(name + ": killed postmaster", tree, Duration.ofSeconds(10));
        return pm;
    }

    /** SIGKILLs Patroni and its postmaster with its children at once: the whole member dies. */
    public synchronized void killAll() {
        List<Long> pids = new ArrayList<>();
        patroniPid().ifPresent(pids::add);
        postmasterPid().ifPresent(pm -> pids.addAll(Signals.tree(pm)));
        Signals.send("KILL", pids);
        Signals.awaitGone(name + ": killed member", pids, Duration.ofSeconds(10));
        Signals.releaseSharedMemory(dataDir());
        pid = -1;
    }

    /**
     * Stops Patroni with SIGTERM (it stops PostgreSQL cleanly first); after {@code timeout} both are
     * SIGKILLed.
     *
     * @param timeout how long a clean stop may take
     * @return whether the stop was clean
     */
    public synchronized boolean stop(Duration timeout) {
        OptionalLong p = patroniPid();
        if (p.isEmpty()) {
            killLeftovers();
            return true;
        }
        Signals.send("TERM", List.of(p.getAsLong()));
        boolean clean = true;
        try {
            Signals.awaitGone(name + ": Patroni stop", List.of(p.getAsLong()), timeout);
        } catch (PgClusterException e) {
            clean = false;
            Signals.send("KILL", List.of(p.getAsLong()));
            Signals.awaitGone(name + ": Patroni kill", List.of(p.getAsLong()), Duration.ofSeconds(10));
        }
        pid = -1;
        if (!killLeftovers()) {
            clean = false;
        }
        return clean;
    }

    /**
     * Sends SIGHUP to Patroni (reload its configuration).
     */
    public synchronized void reload() {
        long p = patroniPid().orElseThrow(() -> new PgClusterException(name + ": Patroni is not running"));
        Signals.send("HUP", List.of(p));
    }

    /**
     * SIGKILLs every postmaster (with children) of this member still running its data dir.
     *
     * @return whether nothing had to be killed
     */
    public synchronized boolean killLeftovers() {
        postmasterPid();
        List<Long> pids = new ArrayList<>();
        for (long pm : postmasters) {
            if (runsOurDataDir(pm)) {
                pids.addAll(Signals.tree(pm));
            }
        }
        if (pids.isEmpty()) {
            return true;
        }
        Signals.send("KILL", pids);
        Signals.awaitGone(name + ": leftover postmaster", pids, Duration.ofSeconds(10));
        Signals.releaseSharedMemory(dataDir());
        return false;
    }

    private boolean runsOurDataDir(long p) {
        if (!Signals.alive(p) || !Signals.isPostgres(p)) {
            return false;
        }
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + p + "/cmdline")), StandardCharsets.UTF_8);
            return cmdline.contains(dataDir().toString());
        } catch (IOException e) {
            return false;
        }
    }
}
