package dev.replication.internal.cluster;

import com.sun.net.httpserver.HttpServer;
import dev.replication.NodeConfig;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Startup with a Patroni topology against a stand-in REST API: what is required of Patroni's answer. */
class PatroniMembersTest {

    private static ReplicationConfig config(String urls) {
        return ReplicationConfig.fromProperties(Map.of("replication.topology", "patroni",
                "replication.patroni.urls", urls, "replication.primary.url", "jdbc:postgresql://db1:5432/app",
                "replication.password", "pw"));
    }

    /** A REST API answering {@code /cluster} with {@code json}. */
    private static HttpServer serving(String json) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cluster", ex -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server;
    }

    private static String member(String name, String role, int port) {
        return "{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"state\":\"running\",\"host\":\"127.0.0.1\","
                + "\"port\":" + port + ",\"timeline\":1}";
    }

    @Test
    void noAnswerFailsStartupNamingEveryAddress() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closed;
        assertThatThrownBy(() -> PatroniMembers.connect(config(url), 300)).isInstanceOf(ReplicationException.class)
                .hasMessageContaining("no Patroni REST API answered").hasMessageContaining(url)
                .hasMessageContaining("waited 300 ms");
    }

    @Test
    void noLeaderFailsStartupListingTheMembers() throws IOException {
        HttpServer server = serving("{\"members\":[" + member("n1", "replica", 5432) + "]}");
        try {
            assertThatThrownBy(() -> PatroniMembers.connect(config("http://127.0.0.1:" + server.getAddress().getPort()),
                    300)).hasMessageContaining("Patroni names no leader").hasMessageContaining("n1 replica running");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void membersWhoseNamesCannotBeNodeNamesAreIgnoredButTheLeaderMustHaveOne() throws IOException {
        HttpServer server = serving("{\"members\":[" + member("n2", "replica", 5433) + ","
                + member("n1", "leader", 5432) + "," + member("db.3", "replica", 5434) + ","
                + member("Primary", "replica", 5435) + "]}");
        HttpServer badLeader = serving("{\"members\":[" + member("primary", "leader", 5432) + "]}");
        try {
            PatroniMembers members = PatroniMembers.connect(config("http://127.0.0.1:" + server.getAddress().getPort()), 300);
            assertThat(members.initialNodes()).extracting(NodeConfig::name).containsExactly("n1", "n2");
            assertThat(members.initialNodes().get(1).url()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/app");
            members.close();
            PatroniMembers bad = PatroniMembers.connect(config("http://127.0.0.1:" + badLeader.getAddress().getPort()),
                    300);
            assertThatThrownBy(bad::initialNodes).hasMessageContaining("leader's member name 'primary'")
                    .hasMessageContaining("cannot be a node name");
            bad.close();
        } finally {
            server.stop(0);
            badLeader.stop(0);
        }
    }
}
