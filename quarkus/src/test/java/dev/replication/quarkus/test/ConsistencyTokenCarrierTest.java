package dev.replication.quarkus.test;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The carrier against a loopback HTTP server that records the header it receives and answers scripted tokens. */
class ConsistencyTokenCarrierTest {

    private HttpServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Queue<String> answers = new ConcurrentLinkedQueue<>();
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String h = exchange.getRequestHeaders().getFirst("X-Consistency-Token");
            received.add(h == null ? "-" : h);
            String answer = answers.poll();
            if (answer != null && !answer.isEmpty()) {
                exchange.getResponseHeaders().add("X-Consistency-Token", answer);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void call(ConsistencyTokenCarrier client, String answer) {
        answers.add(answer);
        given().baseUri(base).filter(client).get("/x").then().statusCode(200);
    }

    @Test
    void sendsTheLatestTokenItWasGivenAndNeverAnOlderOne() {
        ConsistencyTokenCarrier client = new ConsistencyTokenCarrier();
        call(client, "0/3000060");
        call(client, "");                    // a read that wrote nothing and got no token back: the token stays
        call(client, "0/2000000");           // an older token (a concurrent request's answer) does not win
        call(client, "1/10");
        call(client, "1/10");
        assertThat(received).containsExactly("-", "0/3000060", "0/3000060", "0/3000060", "1/10");
        assertThat(client.token()).contains("1/10");

        client.reset();
        call(client, "");
        assertThat(received.get(received.size() - 1)).isEqualTo("-");
        assertThat(client.token()).isEmpty();
    }

    @Test
    void aHeaderTheRequestSetsItselfIsKept() {
        ConsistencyTokenCarrier client = ConsistencyTokenCarrier.startingFrom("0/10");
        answers.add("0/20");
        given().baseUri(base).filter(client).header("X-Consistency-Token", "0/5").get("/x").then().statusCode(200);
        assertThat(received).containsExactly("0/5");
        assertThat(client.token()).contains("0/20");
    }

    @Test
    void clientsAreIndependent() {
        ConsistencyTokenCarrier a = new ConsistencyTokenCarrier();
        ConsistencyTokenCarrier b = new ConsistencyTokenCarrier();
        call(a, "0/AB");
        call(b, "");
        assertThat(received).containsExactly("-", "-");
        assertThat(b.token()).isEmpty();
    }

    @Test
    void anotherHeaderName() {
        ConsistencyTokenCarrier client = new ConsistencyTokenCarrier("X-Other");
        call(client, "0/AB");                // the server answers X-Consistency-Token, which this client ignores
        assertThat(client.token()).isEmpty();
        assertThat(client.header()).isEqualTo("X-Other");
        assertThatThrownBy(() -> new ConsistencyTokenCarrier(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void laterTokens() {
        assertThat(ConsistencyTokenCarrier.later(null, "0/1")).isEqualTo("0/1");
        assertThat(ConsistencyTokenCarrier.later("0/2", "0/1")).isEqualTo("0/2");
        assertThat(ConsistencyTokenCarrier.later("0/FFFFFFFF", "1/0")).isEqualTo("1/0");
        assertThat(ConsistencyTokenCarrier.later("0/2", "garbage")).isEqualTo("garbage");
    }
}
