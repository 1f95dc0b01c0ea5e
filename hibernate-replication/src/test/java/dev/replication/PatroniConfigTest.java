package dev.replication;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code replication.topology=patroni}: what it needs, what it refuses and why. */
class PatroniConfigTest {

    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("replication.topology", "patroni");
        m.put("replication.patroni.urls", "http://db1:8008, https://db2:8008/");
        m.put("replication.primary.url", "jdbc:postgresql://db1:5432/app?sslmode=require");
        m.put("replication.password", "pw");
        return m;
    }

    private static ReplicationConfig parse(Map<String, Object> m) {
        return ReplicationConfig.fromProperties(m);
    }

    @Test
    void followsPatroniWithDiscoverFailoverAndPerMemberSettings() {
        Map<String, Object> m = base();
        m.put("replication.replicas", "pg3");
        m.put("replication.replica.pg3.reads", "false");
        m.put("replication.replica.pg3.pool.max-size", "3");
        ReplicationConfig c = parse(m);
        assertThat(c.topology()).isEqualTo(ReplicationConfig.Topology.PATRONI);
        assertThat(c.patroniUrls()).containsExactly(URI.create("http://db1:8008"), URI.create("https://db2:8008/"));
        assertThat(c.failover()).isEqualTo(ReplicationConfig.FailoverMode.DISCOVER);
        NodeConfig pg3 = c.replicas().get(0);
        assertThat(pg3.url()).isNull();
        assertThat(pg3.reads()).isFalse();
        assertThat(pg3.pool().maxSize()).isEqualTo(3);
        m.put("replication.failover", "discover");
        assertThat(parse(m).failover()).isEqualTo(ReplicationConfig.FailoverMode.DISCOVER);
    }

    @Test
    void promotionSettingsAreRefusedNamingTheKey() {
        for (Map.Entry<String, String> e : Map.of("replication.failover", "promote",
                "replication.failover.max-lag-bytes", "100", "replication.failover.repoint-standbys", "true",
                "replication.failover.promote-timeout", "5s").entrySet()) {
            Map<String, Object> m = base();
            m.put(e.getKey(), e.getValue());
            assertThatThrownBy(() -> parse(m)).as(e.getKey()).isInstanceOf(ReplicationConfigurationException.class)
                    .hasMessageContaining(e.getKey()).hasMessageContaining("patroni");
        }
        Map<String, Object> m = base();
        m.put("replication.replicas", "pg3");
        m.put("replication.replica.pg3.failover-priority", "2");
        assertThatThrownBy(() -> parse(m)).hasMessageContaining("replication.replica.pg3.failover-priority")
                .hasMessageContaining("Patroni promotes");
    }

    @Test
    void aMembersAddressComesFromPatroniNotFromTheConfiguration() {
        Map<String, Object> m = base();
        m.put("replication.replicas", "pg3");
        m.put("replication.replica.pg3.url", "jdbc:postgresql://db3:5432/app");
        assertThatThrownBy(() -> parse(m)).hasMessageContaining("replication.replica.pg3.url")
                .hasMessageContaining("comes from Patroni");
    }

    @Test
    void urlsAreRequiredValidatedAndOnlyForPatroni() {
        Map<String, Object> m = base();
        m.remove("replication.patroni.urls");
        assertThatThrownBy(() -> parse(m)).hasMessageContaining("Missing required setting 'replication.patroni.urls'");
        for (String bad : List.of("db1:8008", "ftp://db1", "http://db1:8008,,http://db2:8008", "http://")) {
            Map<String, Object> b = base();
            b.put("replication.patroni.urls", bad);
            assertThatThrownBy(() -> parse(b)).as(bad).hasMessageContaining("replication.patroni.urls")
                    .hasMessageContaining("http:// or https://");
        }
        Map<String, Object> secret = base();
        secret.put("replication.patroni.urls", "http://admin:topsecret@db1:8008");
        assertThatThrownBy(() -> parse(secret)).hasMessageNotContaining("topsecret").hasMessageContaining("credentials");
        Map<String, Object> stat = base();
        stat.remove("replication.topology");
        assertThatThrownBy(() -> parse(stat)).hasMessageContaining("replication.patroni.urls")
                .hasMessageContaining("replication.topology=patroni");
        Map<String, Object> typo = base();
        typo.put("replication.topology", "consul");
        assertThatThrownBy(() -> parse(typo)).hasMessageContaining("replication.topology").hasMessageContaining("consul");
    }
}
