package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.testkit.internal.Poll;
import dev.replication.testkit.internal.Signals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Servers never outlive their JVM, and a killed JVM's leftovers are cleaned on the next start. */
class LifecycleTest {

    record Child(Process process, Path dir, List<Long> postmasters, List<Long> pids) {
    }

    private static Child startChild(String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("testkit.base.dir", "testkit.cache.dir", "testkit.pg.user", "testkit.pg.bin", "testkit.pg.version")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add(ChildJvmMain.class.getName());
        cmd.add(mode);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = r.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("READY ")) {
                String[] parts = line.split(" ");
                List<Long> postmasters = new ArrayList<>();
                List<Long> pids = new ArrayList<>();
                for (int i = 2; i < parts.length; i++) {
                    postmasters.add(Long.parseLong(parts[i]));
                    pids.addAll(Signals.tree(Long.parseLong(parts[i])));
                }
                return new Child(p, Path.of(parts[1]), postmasters, pids);
            }
        }
        throw new AssertionError("child JVM ended without READY:\n" + seen);
    }

    @Test
    void shutdownHookStopsServersWhenJvmExitsWithoutClose() throws Exception {
        Child c = startChild("exit");
        assertThat(c.pids()).hasSizeGreaterThan(2);
        assertThat(c.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        Signals.awaitGone("child cluster", c.pids(), Duration.ofSeconds(5));
        assertThat(Files.exists(c.dir())).isFalse();
    }

    @Test
    void serversOfAKilledJvmAreCleanedOnNextStart() throws Exception {
        Child c = startChild("wait");
        c.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(c.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(c.postmasters()).as("servers survive their killed JVM").hasSize(2).allMatch(Signals::alive);
        assertThat(Files.exists(c.dir())).isTrue();
        try (PgCluster next = PgCluster.builder().replicas(0).start()) {
            assertThat(next.primary().isRunning()).isTrue();
            Poll.until(Duration.ofSeconds(5), () -> c.pids().stream().noneMatch(Signals::alive) ? Boolean.TRUE : null,
                    () -> "stale servers still alive");
            assertThat(Files.exists(c.dir())).as("stale dir removed").isFalse();
        }
    }
}
