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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Patroni, its PostgreSQL and etcd never outlive their JVM for long: shutdown hook and stale cleanup. */
class PatroniLifecycleTest {

    record Child(Process process, Path dir, List<Long> pids) {
    }

    @BeforeEach
    void requirePatroni() {
        PatroniCluster.availability().assumePresent();
    }

    private static Child startChild(String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("testkit.base.dir", "testkit.cache.dir", "testkit.pg.user", "testkit.pg.bin")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add(PatroniChildJvmMain.class.getName());
        cmd.add(mode);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = r.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("READY ")) {
                String[] parts = line.split(" ");
                List<Long> pids = new ArrayList<>();
                for (int i = 2; i < parts.length; i++) {
                    pids.add(Long.parseLong(parts[i]));
                }
                pids.addAll(Signals.tree(pids.get(1)));
                return new Child(p, Path.of(parts[1]), pids.stream().distinct().toList());
            }
        }
        throw new AssertionError("child JVM ended without READY:\n" + seen);
    }

    @Test
    void shutdownHookStopsPatroniPostgresAndEtcd() throws Exception {
        Child c = startChild("exit");
        assertThat(c.pids()).hasSizeGreaterThan(3);
        assertThat(c.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        Signals.awaitGone("child Patroni cluster", c.pids(), Duration.ofSeconds(5));
        assertThat(Files.exists(c.dir())).isFalse();
    }

    @Test
    void leftoversOfAKilledJvmAreCleanedOnNextStart() throws Exception {
        Child c = startChild("wait");
        c.process().destroyForcibly();
        assertThat(c.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(c.pids().subList(0, 3)).as("Patroni, postmaster and etcd survive their killed JVM")
                .allMatch(Signals::alive);
        try (PatroniCluster next = PatroniCluster.builder().members(1).start()) {
            assertThat(next.leader().name()).isEqualTo("pg1");
            Poll.until(Duration.ofSeconds(5), () -> c.pids().stream().noneMatch(Signals::alive) ? Boolean.TRUE : null,
                    () -> "stale Patroni processes still alive");
            assertThat(Files.exists(c.dir())).as("stale dir removed").isFalse();
        }
    }
}
