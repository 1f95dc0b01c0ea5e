package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Process-tree signalling with {@code kill}. */
public final class Signals {
    private Signals() {
    }

    /**
     * @param pid a process id
     * @return the process and all its live descendants, the process first (empty if it is gone)
     */
    public static List<Long> tree(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return List.of();
        }
        Set<Long> out = new LinkedHashSet<>();
        out.add(pid);
        h.get().descendants().forEach(d -> out.add(d.pid()));
        return new ArrayList<>(out);
    }

    /**
     * Sends a signal to processes; processes already gone are ignored.
     *
     * @param signal e.g. {@code KILL}, {@code STOP}, {@code CONT}, {@code INT}, {@code QUIT}
     * @param pids the processes
     */
    public static void send(String signal, List<Long> pids) {
        List<Long> alive = pids.stream().filter(Signals::alive).collect(Collectors.toList());
        if (alive.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Files.isExecutable(Path.of("/bin/kill")) ? "/bin/kill" : "kill");
        cmd.add("-" + signal);
        alive.forEach(p -> cmd.add(Long.toString(p)));
        Exec.Result r = Exec.run(cmd, null, null);
        if (!r.ok()) {
            // a process may have exited between the check and the kill: only fail if one is still alive
            List<Long> still = alive.stream().filter(Signals::alive).collect(Collectors.toList());
            if (!still.isEmpty() && !"KILL".equals(signal)) {
                throw new PgClusterException("kill -" + signal + " " + still + " failed: " + r.output().trim());
            }
            if ("KILL".equals(signal)) {
                still.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
    }

    /**
     * @param pid a process id
     * @return whether it exists and is not a zombie
     */
    public static boolean alive(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || stat.length() < close + 3 || stat.charAt(close + 2) != 'Z';
        } catch (Exception e) {
            return true;
        }
    }

    /**
     * Waits until all processes are gone.
     *
     * @param what description for the timeout message
     * @param pids the processes
     * @param timeout deadline
     */
    public static void awaitGone(String what, List<Long> pids, Duration timeout) {
        Poll.until(timeout, () -> pids.stream().noneMatch(Signals::alive) ? Boolean.TRUE : null,
                () -> what + ": processes still alive: "
                        + pids.stream().filter(Signals::alive).collect(Collectors.toList()));
    }

    /**
     * Removes the System V shared memory segment a crashed (SIGKILLed) server left behind, as
     * named in its postmaster.pid; call only once all its processes are gone. Best effort.
     *
     * @param dataDir the server's data dir
     */
    public static void releaseSharedMemory(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            if (lines.size() >= 7) {
                String[] parts = lines.get(6).trim().split("\\s+");
                if (parts.length == 2 && parts[0].matches("\\d+") && parts[1].matches("\\d+")) {
                    long key = Long.parseLong(parts[0]);
                    String shmid = parts[1];
                    // only if that segment (same key and id) has no process attached any more
                    for (String l : Files.readAllLines(Path.of("/proc/sysvipc/shm"))) {
                        String[] f = l.trim().split("\\s+");
                        if (f.length > 6 && f[1].equals(shmid) && f[0].matches("-?\\d+") && Long.parseLong(f[0]) == key
                                && f[6].equals("0")) {
                            Exec.run(List.of("ipcrm", "-m", shmid), null, null);
                        }
                    }
                }
            }
        } catch (Exception ignored) {
            // nothing to release
        }
    }

    /**
     * @param pid a process id
     * @return whether it is a PostgreSQL server process (by its command name)
     */
    public static boolean isPostgres(long pid) {
        try {
            String comm = Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
            if (comm.startsWith("postgres")) {
                return true;
            }
        } catch (Exception ignored) {
            // fall through
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/postgres")).orElse(false);
    }
}
