package dev.replication.bench;

import dev.replication.bench.TwoInstanceFailover.Ack;
import dev.replication.testkit.Await;
import dev.replication.testkit.PatroniCluster;
import dev.replication.testkit.PatroniMember;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application JVMs with {@code replication.topology=patroni} on one Patroni cluster, writing all the
 * time, through a failover (the leader's Patroni and postgres SIGKILLed) and a planned switchover: both
 * follow the leader Patroni names, and no timeline is ever written on two members. Skipped, saying why,
 * without the Debian packages patroni and etcd-server.
 */
class PatroniTwoInstanceTest {

    private static final String DB = "patroni_two";

    @BeforeEach
    void patroniInstalled() {
        PatroniCluster.availability().assumePresent();
    }

    @Test
    void bothInstancesFollowPatronisLeaderThroughAFailoverAndASwitchover() throws Exception {
        try (PatroniCluster cluster = PatroniCluster.builder().members(3).start()) {
            cluster.createDatabase(DB);
            try (Connection c = cluster.leader().connect(DB); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE write_log (instance text NOT NULL, seq bigint NOT NULL, port int NOT NULL,"
                        + " tli int NOT NULL, PRIMARY KEY (instance, seq))");
            }
            List<String> args = List.of("primary=" + cluster.members().get(0).jdbcUrl(DB),
                    "patroni=" + String.join(",", cluster.restUrls()));
            Path logs = Path.of("target", "patroni-two-instances");
            List<InstanceProcess> instances = List.of(
                    InstanceProcess.launch("A", cluster.user(), cluster.password(), args, logs),
                    InstanceProcess.launch("B", cluster.user(), cluster.password(), args, logs));
            Map<String, String> results = new LinkedHashMap<>();
            try {
                int leaderPort = cluster.leader().pgPort();
                Await.until("both instances writing on the leader", Duration.ofSeconds(60), () -> instances.stream()
                        .allMatch(i -> i.acks().stream().filter(a -> a.port() == leaderPort).count() >= 5));

                PatroniMember old = cluster.leader();
                results.put("failover (leader's Patroni + postgres SIGKILL)",
                        fault(cluster, instances, old::killPatroni, Duration.ofSeconds(90)));
                old.start();
                cluster.awaitMembersStreaming(Duration.ofSeconds(90));

                PatroniMember leader = cluster.leader();
                PatroniMember candidate = cluster.members().stream().filter(m -> !m.name().equals(leader.name()))
                        .findFirst().orElseThrow();
                results.put("switchover", fault(cluster, instances, () -> cluster.switchover(candidate),
                        Duration.ofSeconds(60)));
            } finally {
                InstanceProcess.stopAll(instances);
            }
            results.forEach((k, v) -> System.out.printf("[patroni two instances] %s: %s%n", k, v));

            Map<Integer, Set<Integer>> portsByTimeline = new TreeMap<>();
            List<String> backwards = new ArrayList<>();
            for (InstanceProcess i : instances) {
                int highest = -1;
                for (Ack a : i.acks()) {
                    portsByTimeline.computeIfAbsent(a.tli(), k -> new TreeSet<>()).add(a.port());
                    if (a.tli() < highest) {
                        backwards.add(i.name + " write " + a.seq() + " on timeline " + a.tli() + " after " + highest);
                    }
                    highest = Math.max(highest, a.tli());
                }
            }
            assertThat(backwards).as("writes accepted by a former leader after a newer one was written").isEmpty();
            portsByTimeline.forEach((tli, ports) -> assertThat(ports).as("members written on timeline " + tli)
                    .hasSize(1));
            assertThat(portsByTimeline).as("timelines written: before, after the failover, after the switchover")
                    .hasSizeGreaterThanOrEqualTo(3);
        }
    }

    /**
     * Injects a fault, waits until both instances acknowledge a write on a newer timeline, and checks
     * that both write on the member Patroni names leader.
     *
     * @return per instance: fault → first write on the new timeline, and failed writes
     */
    private static String fault(PatroniCluster cluster, List<InstanceProcess> instances, Runnable fault,
                                Duration timeout) {
        Map<String, Integer> timelineBefore = new LinkedHashMap<>();
        Map<String, Long> failedBefore = new LinkedHashMap<>();
        for (InstanceProcess i : instances) {
            timelineBefore.put(i.name, i.acks().stream().mapToInt(Ack::tli).max().orElse(-1));
            failedBefore.put(i.name, i.failed.get());
        }
        long start = System.nanoTime();
        fault.run();
        Await.until("both instances writing on a new timeline", timeout, () -> instances.stream()
                .allMatch(i -> firstOnNewTimeline(i, timelineBefore.get(i.name)) != null));
        int leaderPort = cluster.awaitLeader(Duration.ofSeconds(30)).pgPort();
        StringBuilder sb = new StringBuilder();
        for (InstanceProcess i : instances) {
            Ack first = firstOnNewTimeline(i, timelineBefore.get(i.name));
            assertThat(first.port()).as(i.name + " writes on the leader Patroni names").isEqualTo(leaderPort);
            sb.append(sb.length() == 0 ? "" : "; ").append(i.name).append(' ')
                    .append(Math.max(0, (first.receivedNanos() - start) / 1_000_000)).append(" ms to the first write, ")
                    .append(i.failed.get() - failedBefore.get(i.name)).append(" failed writes");
        }
        return sb.toString();
    }

    private static Ack firstOnNewTimeline(InstanceProcess i, int timeline) {
        return i.acks().stream().filter(a -> a.tli() > timeline).findFirst().orElse(null);
    }
}
