package dev.replication.internal;

import dev.replication.spi.ReplicaCandidate;
import dev.replication.spi.ReplicaSelector;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class SelectorsTest {

    private static ReplicaCandidate c(String name, int weight, int active, long lagBytes) {
        return new ReplicaCandidate(name, weight, active, lagBytes, Duration.ofMillis(lagBytes));
    }

    private static Map<String, Integer> run(ReplicaSelector s, List<ReplicaCandidate> cs, int n) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(s.select(cs).name(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinIsExactlyEven() {
        assertThat(run(Selectors.create("round-robin"), List.of(c("a", 1, 0, 0), c("b", 1, 0, 0)), 100))
                .containsEntry("a", 50).containsEntry("b", 50);
    }

    @Test
    void weightedFollowsWeightsSmoothly() {
        ReplicaSelector s = Selectors.create("weighted");
        List<ReplicaCandidate> cs = List.of(c("a", 3, 0, 0), c("b", 1, 0, 0));
        assertThat(run(s, cs, 100)).containsEntry("a", 75).containsEntry("b", 25);
        // smooth: never more than 3 'a' in a row
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            seq.append(s.select(cs).name());
        }
        assertThat(seq.toString()).doesNotContain("aaaa");
    }

    @Test
    void leastLoadedPicksFewestActive() {
        assertThat(run(Selectors.create("least-loaded"), List.of(c("a", 1, 5, 0), c("b", 1, 1, 0)), 10))
                .containsOnlyKeys("b");
    }

    @Test
    void lowestLagPicksLeastBehind() {
        assertThat(run(Selectors.create("lowest-lag"), List.of(c("a", 1, 0, 900), c("b", 1, 0, 10)), 10))
                .containsOnlyKeys("b");
    }

    @Test
    void randomUsesAll() {
        assertThat(run(Selectors.create("random"), List.of(c("a", 1, 0, 0), c("b", 1, 0, 0)), 200)).hasSize(2);
    }
}
