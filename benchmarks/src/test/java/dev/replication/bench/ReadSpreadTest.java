package dev.replication.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The read-spread verdict of benchmark 3: each replica's share within ±20 % of round-robin's expected share. */
class ReadSpreadTest {

    private static final List<String> REPLICAS = List.of("node2", "node3");

    @Test
    void skewedSpreadIsReportedWithSharesAndFailsTheRange() {
        ReadSpread s = ReadSpread.roundRobin(Map.of("node2", 1800L, "node3", 190L, "primary", 10L), REPLICAS);
        assertThat(s.expectedReplicaShare()).isEqualTo(0.5);
        assertThat(s.share("node2")).isCloseTo(0.9, within(1e-9));
        assertThat(s.share("primary")).isCloseTo(0.005, within(1e-9));
        assertThat(s.allReplicasWithinRange()).isFalse();
        assertThat(s.counts()).isEqualTo("node2 1800 (90.0 %), node3 190 (9.5 %), primary 10 (0.5 %)");
        assertThat(s.verdict()).isEqualTo("NOT within 40.0 %–60.0 %: node2 90.0 %, node3 9.5 %");
        assertThat(s.json()).containsEntry("allReplicasWithinRange", false)
                .containsEntry("replicaShareWithinRange", Map.of("node2", false, "node3", false));
    }

    @Test
    void rangeIsInclusiveAtForty_andSixtyPercent() {
        assertThat(ReadSpread.roundRobin(Map.of("node2", 600L, "node3", 400L), REPLICAS).allReplicasWithinRange()).isTrue();
        ReadSpread off = ReadSpread.roundRobin(Map.of("node2", 610L, "node3", 390L), REPLICAS);
        assertThat(off.withinRange("node2")).isFalse();
        assertThat(off.withinRange("node3")).isFalse();
        assertThat(ReadSpread.roundRobin(Map.of("node2", 500L, "node3", 500L), REPLICAS).verdict())
                .isEqualTo("every replica within 40.0 %–60.0 %");
    }

    @Test
    void replicaWithoutReadsAndNoReadsAtAll() {
        ReadSpread one = ReadSpread.roundRobin(Map.of("node2", 100L, "node3", 0L), REPLICAS);
        assertThat(one.share("node3")).isZero();
        assertThat(one.verdict()).isEqualTo("NOT within 40.0 %–60.0 %: node2 100.0 %, node3 0.0 %");
        ReadSpread none = ReadSpread.roundRobin(Map.of("node2", 0L, "node3", 0L), REPLICAS);
        assertThat(none.share("node2")).isNaN();
        assertThat(none.allReplicasWithinRange()).isFalse();
    }
}
