package dev.replication;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-replica roles (reads, failover priority) and pool settings falling back to the global ones. */
class NodeRolesConfigTest {

    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("replication.primary.url", "jdbc:postgresql://db1:5432/app");
        m.put("replication.replicas", "r1,standby");
        m.put("replication.replica.r1.url", "jdbc:postgresql://db2:5432/app");
        m.put("replication.replica.standby.url", "jdbc:postgresql://db3:5432/app");
        return m;
    }

    private static ReplicationConfig parse(Map<String, Object> m) {
        return ReplicationConfig.fromProperties(m);
    }

    private static NodeConfig node(ReplicationConfig c, String name) {
        return c.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void defaultsServeReadsWithPriorityOneAndTheGlobalPool() {
        ReplicationConfig c = parse(base());
        for (NodeConfig n : c.nodes()) {
            assertThat(n.reads()).isTrue();
            assertThat(n.failoverPriority()).isEqualTo(1);
            assertThat(n.pool()).isEqualTo(c.pool());
        }
        assertThat(c.pool()).isEqualTo(new PoolSettings(10, 2, Duration.ofMillis(500), Duration.ofMinutes(10),
                Duration.ofMinutes(30)));
    }

    @Test
    void aStandbyForFailoverOnlyWithItsOwnPool() {
        Map<String, Object> m = base();
        m.put("replication.replica.standby.reads", "FALSE");
        m.put("replication.replica.standby.failover-priority", "5");
        m.put("replication.replica.r1.failover-priority", "0");
        m.put("replication.replica.standby.pool.max-size", "2");
        m.put("replication.replica.standby.pool.connection-timeout", "2s");
        m.put("replication.pool.max-size", "20");
        m.put("replication.pool.min-idle", "4");
        ReplicationConfig c = parse(m);
        NodeConfig standby = node(c, "standby");
        assertThat(standby.reads()).isFalse();
        assertThat(standby.failoverPriority()).isEqualTo(5);
        // min-idle falls back to the global value, capped by the node's own max-size
        assertThat(standby.pool()).isEqualTo(new PoolSettings(2, 2, Duration.ofSeconds(2), Duration.ofMinutes(10),
                Duration.ofMinutes(30)));
        NodeConfig r1 = node(c, "r1");
        assertThat(r1.reads()).isTrue();
        assertThat(r1.failoverPriority()).isZero();
        assertThat(r1.pool()).isEqualTo(new PoolSettings(20, 4, Duration.ofMillis(500), Duration.ofMinutes(10),
                Duration.ofMinutes(30)));
        assertThat(standby.toString()).contains("reads=false", "failoverPriority=5");
    }

    @Test
    void badValuesNameKeyValueAndWhatIsAllowed() {
        assertBad("replication.replica.standby.reads", "no", "Invalid value 'no' for 'replication.replica.standby.reads':"
                + " expected true or false");
        assertBad("replication.replica.standby.failover-priority", "-1", "Invalid value '-1' for"
                + " 'replication.replica.standby.failover-priority': expected a whole number >= 0");
        assertBad("replication.replica.standby.pool.max-size", "0", "Invalid value '0' for"
                + " 'replication.replica.standby.pool.max-size': expected a whole number >= 1");
        assertBad("replication.replica.standby.pool.connection-timeout", "100ms", "Invalid value '100ms' for"
                + " 'replication.replica.standby.pool.connection-timeout': expected at least 250ms (HikariCP's minimum)");
        assertBad("replication.replica.standby.pool.idle-timeout", "5s", "Invalid value '5s' for"
                + " 'replication.replica.standby.pool.idle-timeout': expected 0 (no limit) or at least 10s (HikariCP's minimum)");
        assertBad("replication.replica.standby.pool.max-lifetime", "soon", "Invalid value 'soon' for"
                + " 'replication.replica.standby.pool.max-lifetime'");
        Map<String, Object> m = base();
        m.put("replication.replica.standby.pool.max-size", "3");
        m.put("replication.replica.standby.pool.min-idle", "4");
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ReplicationConfigurationException.class)
                .hasMessage("Invalid value '4' for 'replication.replica.standby.pool.min-idle': expected a value <= the"
                        + " pool's maximum size (3)");
    }

    @Test
    void poolKeysOfAnUnknownReplicaOrAMisspelledOneFail() {
        Map<String, Object> m = base();
        m.put("replication.replica.other.pool.max-size", "3");
        assertThatThrownBy(() -> parse(m)).hasMessageContaining("'replication.replica.other.pool.max-size' names replica"
                + " 'other', which is not listed");
        Map<String, Object> m2 = base();
        m2.put("replication.replica.standby.max-size", "3");
        assertThatThrownBy(() -> parse(m2)).hasMessageStartingWith("Unknown setting 'replication.replica.standby.max-size'");
        Map<String, Object> m3 = base();
        m3.put("replication.replica.standby.Pool.max-size", "3");
        assertThatThrownBy(() -> parse(m3)).hasMessageContaining("differs from 'replication.replica.standby.pool.max-size'"
                + " in case");
    }

    @Test
    void theBuilderSetsThemToo() {
        ReplicationConfig c = ReplicationConfig.builder().primary("jdbc:postgresql://db1/app")
                .replica("standby", "jdbc:postgresql://db3/app")
                .set(ReplicationProperty.REPLICA_READS.key("standby"), false)
                .set(ReplicationProperty.REPLICA_POOL_MAX_SIZE.key("standby"), 1)
                .set(ReplicationProperty.REPLICA_POOL_MIN_IDLE.key("standby"), 0)
                .build();
        assertThat(node(c, "standby").reads()).isFalse();
        assertThat(node(c, "standby").pool().maxSize()).isEqualTo(1);
    }

    private static void assertBad(String key, String value, String message) {
        Map<String, Object> m = base();
        m.put(key, value);
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageStartingWith(message);
    }
}
