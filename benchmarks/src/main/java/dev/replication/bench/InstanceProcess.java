package dev.replication.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application instance process ({@link TwoInstanceApp}) as a driver sees it: its acknowledged
 * writes, failures, primary changes and latest status, filled by a reader thread from its stdout.
 */
final class InstanceProcess {
    final String name;
    final Process process;
    final List<TwoInstanceFailover.Ack> acks = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final AtomicLong failed = new AtomicLong();
    volatile String status = "";
    volatile long statusNanos;
    final Thread reader;

    private InstanceProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.reader = new Thread(this::read, "instance-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "@@ACK" -> {
                        synchronized (this) {
                            acks.add(new TwoInstanceFailover.Ack(name, Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]), now));
                        }
                    }
                    case "@@FAIL" -> failed.incrementAndGet();
                    case "@@STATUS" -> {
                        status = line.substring("@@STATUS ".length());
                        statusNanos = now;
                    }
                    case "@@PRIMARY", "@@PROMOTED" -> {
                        synchronized (this) {
                            events.add(line.substring(2));
                        }
                    }
                    default -> {
                        // not part of the protocol
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    synchronized List<TwoInstanceFailover.Ack> acks() {
        return List.copyOf(acks);
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** The first acknowledged write received after {@code since} on a node other than {@code port}. */
    synchronized TwoInstanceFailover.Ack firstAckAfter(long since, int port) {
        TwoInstanceFailover.Ack first = null;
        for (int i = acks.size() - 1; i >= 0 && acks.get(i).receivedNanos() > since; i--) {
            if (acks.get(i).port() != port) {
                first = acks.get(i);
            }
        }
        return first;
    }

    /** Its latest status, received after {@code since}, names {@code primary} and counts every node usable. */
    boolean seesHealthy(long since, String primary) {
        if (statusNanos <= since) {
            return false;
        }
        String[] f = status.split(" ");
        return f.length == 2 && f[0].equals(primary) && !f[1].contains(":X");
    }

    /**
     * Starts {@link TwoInstanceApp} in a JVM of its own with this JVM's class path; its stderr goes to
     * {@code logDir/instance-<name>.log}.
     *
     * @param nodeArgs {@code name=jdbcUrl} per node, the primary first as {@code primary=...}; or
     *                 {@code primary=<any member's URL>} and {@code patroni=<REST urls>} for a Patroni topology
     */
    static InstanceProcess launch(String name, String user, String password, List<String> nodeArgs, Path logDir)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), TwoInstanceApp.class.getName(), name, user));
        cmd.addAll(nodeArgs);
        Files.createDirectories(logDir);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(logDir.resolve("instance-" + name + ".log").toFile());
        pb.environment().put(TwoInstanceApp.PASSWORD_ENV, password);
        return new InstanceProcess(name, pb.start());
    }

    /** Closes each instance's stdin (it stops writing and exits), waits, and kills what does not exit. */
    static void stopAll(List<InstanceProcess> instances) throws InterruptedException {
        for (InstanceProcess i : instances) {
            try {
                i.process.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        for (InstanceProcess i : instances) {
            if (!i.process.waitFor(10, TimeUnit.SECONDS)) {
                i.process.destroyForcibly();
                i.process.waitFor(5, TimeUnit.SECONDS);
            }
            i.reader.join(5_000);
        }
    }
}
