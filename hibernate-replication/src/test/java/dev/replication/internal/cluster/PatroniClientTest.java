package dev.replication.internal.cluster;

import dev.replication.internal.cluster.PatroniClient.Member;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

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
    void memberUrlsKeepTheDatabaseAndParameters() {
        assertThat(PatroniMembers.withServer("jdbc:postgresql://db1:5432/app?sslmode=require", "10.0.0.7", 6432))
                .isEqualTo("jdbc:postgresql://10.0.0.7:6432/app?sslmode=require");
        assertThat(PatroniMembers.withServer("jdbc:postgresql://a:1,b:2/app", "fe80::1", 5432))
                .isEqualTo("jdbc:postgresql://[fe80::1]:5432/app");
        assertThat(PatroniMembers.withServer("jdbc:postgresql://a?ssl=true", "h", 1)).isEqualTo("jdbc:postgresql://h:1?ssl=true");
    }
}
