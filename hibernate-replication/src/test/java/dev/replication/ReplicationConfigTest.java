package dev.replication;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicationConfigTest {

    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("replication.primary.url", "jdbc:postgresql://db1:5432/app");
        m.put("replication.replicas", "r1, r2");
        m.put("replication.replica.r1.url", "jdbc:postgresql://db2:5432/app");
        m.put("replication.replica.r2.url", "jdbc:postgresql://db3:5432/app");
        m.put("replication.user", "app");
        m.put("replication.password", "hunter2-secret");
        return m;
    }

    private static ReplicationConfig parse(Map<String, Object> m) {
        return ReplicationConfig.fromProperties(m);
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = base();
        m.put(key, value);
        return m;
    }

    @Test
    void defaultsAndReplicas() {
        ReplicationConfig c = parse(base());
        assertThat(c.primary().name()).isEqualTo("primary");
        assertThat(c.replicas()).extracting(NodeConfig::name).containsExactly("r1", "r2");
        assertThat(c.replicas().get(0).user()).isEqualTo("app");
        assertThat(c.selector()).isEqualTo("round-robin");
        assertThat(c.noReplicaPolicy()).isEqualTo(NoReplicaPolicy.PRIMARY);
        assertThat(c.monitorInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.consistency()).isEqualTo(ReplicationConfig.ConsistencyMode.WAIT);
        assertThat(c.failover()).isEqualTo(ReplicationConfig.FailoverMode.MANUAL);
        for (ReplicationProperty p : ReplicationProperty.values()) {
            assertThat(p.description()).as(p.key()).isNotBlank();
        }
    }

    @Test
    void builderHasTheSameSettings() {
        ReplicationConfig c = ReplicationConfig.builder()
                .primary("jdbc:postgresql://db1/app").credentials("u", "p")
                .replica("a", "jdbc:postgresql://db2/app", 3)
                .set(ReplicationProperty.SELECTOR, "weighted")
                .set(ReplicationProperty.MAX_LAG, Duration.ofMillis(1500))
                .build();
        assertThat(c.replicas().get(0).weight()).isEqualTo(3);
        assertThat(c.maxLag()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.selector()).isEqualTo("weighted");
    }

    @Test
    void passwordsNeverAppearInToStringOrMessages() {
        ReplicationConfig c = parse(base());
        assertThat(c.toString()).doesNotContain("hunter2-secret");
        assertThat(c.replicas().get(0).toString()).contains("password=<hidden>").doesNotContain("hunter2-secret");
        assertThatThrownBy(() -> parse(with("replication.replica.r1.url", "postgres://x?password=url-secret")))
                .hasMessageNotContaining("url-secret");
    }

    @Test
    void unknownKeySuggestsNearest() {
        assertThatThrownBy(() -> parse(with("replication.selecter", "random")))
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageContaining("Unknown setting 'replication.selecter'")
                .hasMessageContaining("did you mean 'replication.selector'?");
        assertThatThrownBy(() -> parse(with("replication.monitor.intervall", "1s")))
                .hasMessageContaining("did you mean 'replication.monitor.interval'?");
    }

    @Test
    void badValuesNameKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> parse(with("replication.selector", "fastest")))
                .hasMessage("Invalid value 'fastest' for 'replication.selector': expected round-robin, random,"
                        + " least-loaded, weighted, lowest-lag or a class name");
        assertThatThrownBy(() -> parse(with("replication.no-replica", "maybe")))
                .hasMessage("Invalid value 'maybe' for 'replication.no-replica': expected one of primary, fail");
        assertThatThrownBy(() -> parse(with("replication.pool.max-size", "0")))
                .hasMessage("Invalid value '0' for 'replication.pool.max-size': expected a whole number >= 1");
        assertThatThrownBy(() -> parse(with("replication.max-lag", "soon")))
                .hasMessageContaining("'replication.max-lag'").hasMessageContaining("a duration such as 250ms");
        assertThatThrownBy(() -> parse(with("replication.replica.r1.weight", "-2")))
                .hasMessage("Invalid value '-2' for 'replication.replica.r1.weight': expected a whole number >= 1");
        assertThatThrownBy(() -> parse(with("replication.retry-reads", "yes")))
                .hasMessage("Invalid value 'yes' for 'replication.retry-reads': expected true or false");
        assertThatThrownBy(() -> parse(with("replication.pool.connection-timeout", "100ms")))
                .hasMessageContaining("at least 250ms");
        assertThatThrownBy(() -> parse(with("replication.monitor.timeout", "2s")))
                .hasMessageContaining("below replication.monitor.interval");
        assertThatThrownBy(() -> parse(with("replication.consistency", "strict")))
                .hasMessage("Invalid value 'strict' for 'replication.consistency': expected one of wait, primary, off");
        assertThatThrownBy(() -> parse(with("replication.failover", "auto")))
                .hasMessage("Invalid value 'auto' for 'replication.failover': expected one of manual, promote, discover");
        assertThatThrownBy(() -> parse(with("replication.selector", "com.example.Missing")))
                .hasMessageContaining("not found");
    }

    @Test
    void structuralErrors() {
        Map<String, Object> m = base();
        m.remove("replication.primary.url");
        assertThatThrownBy(() -> parse(m)).hasMessageContaining("Missing required setting 'replication.primary.url'");
        assertThatThrownBy(() -> parse(with("replication.primary.url", "jdbc:mysql://x/y")))
                .hasMessage("Invalid value 'jdbc:mysql://x/y' for 'replication.primary.url': expected a URL starting"
                        + " with jdbc:postgresql://");
        Map<String, Object> missingReplicaUrl = base();
        missingReplicaUrl.remove("replication.replica.r2.url");
        assertThatThrownBy(() -> parse(missingReplicaUrl))
                .hasMessageContaining("Missing required setting 'replication.replica.r2.url'");
        assertThatThrownBy(() -> parse(with("replication.replica.r9.url", "jdbc:postgresql://x/y")))
                .hasMessageContaining("names replica 'r9', which is not listed in 'replication.replicas'");
        assertThatThrownBy(() -> parse(with("replication.replicas", "r1,r1")))
                .hasMessageContaining("duplicate: 'r1'");
        assertThatThrownBy(() -> parse(with("replication.replicas", "r1,primary")))
                .hasMessageContaining("duplicate: 'primary'");
        assertThatThrownBy(() -> parse(with("replication.replicas", "r 1")))
                .hasMessageContaining("'replication.replicas'");
    }

    @Test
    void hikariPassThrough() {
        ReplicationConfig c = parse(with("replication.hikari.leakDetectionThreshold", "5000"));
        assertThat(c.hikari()).containsEntry("leakDetectionThreshold", "5000");
    }

    @Test
    void tokensParseAndPrint() {
        ConsistencyToken t = ConsistencyToken.parse("16/B374D848");
        assertThat(t.toString()).isEqualTo("16/B374D848");
        assertThat(t.lsn()).isEqualTo((0x16L << 32) | 0xB374D848L);
        assertThatThrownBy(() -> ConsistencyToken.parse("16-B374")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a WAL position");
        assertThatThrownBy(() -> ConsistencyToken.parse("123456789/0")).isInstanceOf(IllegalArgumentException.class);
        ConsistencyScope s = new ConsistencyScope();
        s.advance(ConsistencyToken.parse("1/10"));
        s.advance(ConsistencyToken.parse("1/5"));
        assertThat(s.token()).contains(ConsistencyToken.parse("1/10"));
        s.capTo(ConsistencyToken.parse("1/8"));
        assertThat(s.token()).contains(ConsistencyToken.parse("1/8"));
    }
}
