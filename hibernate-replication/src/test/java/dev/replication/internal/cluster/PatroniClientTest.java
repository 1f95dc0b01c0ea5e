package dev.replication.internal.cluster;

import dev.replication.NodeConfig;
import dev.replication.ReplicationConfig;
import dev.replication.internal.cluster.PatroniClient.Member;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatroniClientTest {

    /** The shape Patroni 3.0.2 answers with (leader, a streaming replica with a tag, a stopped one). */
    private static final String CLUSTER = """
            {"members": [
              {"name": "n1", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:8008/patroni",
               "host": "127.0.0.1", "port": 5432, "timeline": 3},
              {"name": "n2", "role": "replica", "state": "running", "api_url": "http://127.0.0.1:8009/patroni",
               "host": "127.0.0.1", "port": 5433, "timeline": 3, "lag": 0, "tags": {"noloadbalance": true}},
              {"name": "n3", "role": "replica", "state": "stopped", "api_url": "http://127.0.0.1:8010/patroni",
               "host": "10.0.0.3", "port": 5434, "lag": "unknown"}
            ], "scope": "test"}
            """;

    @Test
    void readsMembersRolesAndTags() throws IOException {
        List<Member> members = PatroniClient.parse(CLUSTER);
        assertThat(members).extracting(Member::name).containsExactly("n1", "n2", "n3");
        assertThat(members.get(0).leader()).isTrue();
        assertThat(members.get(1).leader()).isFalse();
        assertThat(members.get(1).noLoadBalance()).isTrue();
        assertThat(members.get(0).noLoadBalance()).isFalse();
        assertThat(members.get(2).port()).isEqualTo(5434);
        assertThat(members.get(2).timeline()).isEqualTo(-1);
        assertThat(new PatroniClient.View(members, null).leader()).isEqualTo("n1");
    }

    @Test
    void aMemberWithoutHostOrAnAnswerWithoutMembersIsAnError() {
        assertThatThrownBy(() -> PatroniClient.parse("{\"scope\":\"x\"}")).hasMessageContaining("members");
        assertThatThrownBy(() -> PatroniClient.parse("{\"members\":[{\"name\":\"a\"}]}")).hasMessageContaining("host");
    }

    @Test
    void membersTakeTheirOwnSettingsOrTheDefaults() {
        ReplicationConfig config = ReplicationConfig.fromProperties(Map.of(
                "replication.topology", "patroni", "replication.patroni.urls", "http://db1:8008",
                "replication.primary.url", "jdbc:postgresql://db1:5432/app?sslmode=require",
                "replication.user", "app", "replication.password", "pw", "replication.pool.max-size", "7",
                "replication.replicas", "pg3", "replication.replica.pg3.reads", "false",
                "replication.replica.pg3.pool.max-size", "2", "replication.replica.pg3.user", "reporting"));
        NodeConfig pg3 = PatroniMembers.nodeConfig(config, new Member("pg3", "replica", "running", "10.0.0.3", 5433, 2, false));
        assertThat(pg3.url()).isEqualTo("jdbc:postgresql://10.0.0.3:5433/app?sslmode=require");
        assertThat(pg3.reads()).isFalse();
        assertThat(pg3.pool().maxSize()).isEqualTo(2);
        assertThat(pg3.user()).isEqualTo("reporting");
        assertThat(pg3.password()).isEqualTo("pw");
        assertThat(pg3.failoverPriority()).isZero();
        NodeConfig pg1 = PatroniMembers.nodeConfig(config, new Member("pg1", "leader", "running", "10.0.0.1", 5432, 2, false));
        assertThat(pg1.url()).isEqualTo("jdbc:postgresql://10.0.0.1:5432/app?sslmode=require");
        assertThat(pg1.reads()).isTrue();
        assertThat(pg1.pool().maxSize()).isEqualTo(7);
        assertThat(pg1.user()).isEqualTo("app");
    }

    @Test
    void memberUrlsKeepTheDatabaseAndParameters() {
        assertThat(dev.replication.internal.connection.JdbcUrls.withServer("jdbc:postgresql://db1:5432/app?sslmode=require", "10.0.0.7", 6432))
                .isEqualTo("jdbc:postgresql://10.0.0.7:6432/app?sslmode=require");
        assertThat(dev.replication.internal.connection.JdbcUrls.withServer("jdbc:postgresql://a:1,b:2/app", "fe80::1", 5432))
                .isEqualTo("jdbc:postgresql://[fe80::1]:5432/app");
        assertThat(dev.replication.internal.connection.JdbcUrls.withServer("jdbc:postgresql://a?ssl=true", "h", 1)).isEqualTo("jdbc:postgresql://h:1?ssl=true");
    }
}
