package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.testkit.internal.PatroniEnv;
import dev.replication.testkit.internal.PatroniRest;
import dev.replication.testkit.internal.PatroniSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of Patroni support that need no Patroni: availability reasons, /cluster parsing, builder checks. */
class PatroniOfflineTest {

    @Test
    void absentPatroniAndEtcdGiveAReasonWithTheInstallCommand() {
        PatroniEnv.Found f = PatroniEnv.detect("/nonexistent-dir");
        assertThat(f.present()).isFalse();
        assertThat(f.problem()).contains("patroni not found on PATH", "etcd not found on PATH",
                "apt-get install -y patroni etcd-server");
        PatroniCluster.Availability a = PatroniCluster.availability();
        assertThat(a.reason()).isNotBlank();
        System.out.println("Patroni availability on this machine: " + a);
    }

    @Test
    void parsesClusterJsonOfPatroni302() throws Exception {
        String json = """
                {"members": [
                  {"name": "pg1", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:8008/patroni",
                   "host": "127.0.0.1", "port": 5432, "timeline": 3},
                  {"name": "pg2", "role": "replica", "state": "running", "api_url": "http://127.0.0.1:8009/patroni",
                   "host": "127.0.0.1", "port": 5433, "timeline": 3, "lag": 0,
                   "tags": {"noloadbalance": true, "nofailover": false}},
                  {"name": "pg3", "role": "replica", "state": "stopped", "api_url": "http://127.0.0.1:8010/patroni",
                   "host": "127.0.0.1", "port": 5434, "lag": "unknown"}
                ]}""";
        List<PatroniMemberStatus> ms = PatroniRest.parseCluster(PatroniRest.JSON.readTree(json));
        assertThat(ms).extracting(PatroniMemberStatus::name).containsExactly("pg1", "pg2", "pg3");
        assertThat(ms.get(0).isLeader()).isTrue();
        assertThat(ms.get(0).lag()).isNull();
        assertThat(ms.get(0).timeline()).isEqualTo(3);
        assertThat(ms.get(1).isStreamingReplica()).isTrue();
        assertThat(ms.get(1).noloadbalance()).isTrue();
        assertThat(ms.get(1).nofailover()).isFalse();
        assertThat(ms.get(1).tags()).isEqualTo(Map.of("noloadbalance", "true", "nofailover", "false"));
        assertThat(ms.get(2).lag()).isNull();
        assertThat(ms.get(2).timeline()).isNull();
        assertThat(ms.get(2).isStreamingReplica()).isFalse();
        assertThat(ms.get(2).port()).isEqualTo(5434);
    }

    @Test
    void settingsNeverPrintPasswords() {
        PatroniSettings s = new PatroniSettings(PatroniEnv.detect("/nonexistent-dir"), null, "testkit", 10, 2, 4, 1,
                "super-secret-1", "repl-secret-2", Map.of(), "127.0.0.1:1", Duration.ofSeconds(1), Path.of("/tmp/x"));
        assertThat(s.toString()).contains("testkit").doesNotContain("super-secret-1", "repl-secret-2");
    }

    @Test
    void builderRejectsTimeoutsPatroniCannotKeep() {
        assertThatThrownBy(() -> PatroniCluster.builder().ttl(10).loopWait(5).retryTimeout(4).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loop_wait + 2 * retry_timeout <= ttl").hasMessageContaining("loopWait=5");
        assertThatThrownBy(() -> PatroniCluster.builder().members(2).tags("pg3", PatroniTags.NONE).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pg3");
        assertThatThrownBy(() -> PatroniCluster.builder().scope("a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a/b");
    }
}
