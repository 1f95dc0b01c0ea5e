package dev.replication.it.wildfly;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of the test application, over HTTP. It keeps the read-after-write token the application hands back in
 * {@value #TOKEN} and sends it with its next requests, the way a browser or another service would.
 */
final class AppClient {

    static final String TOKEN = "X-Consistency-Token";
    static final String PORT = "X-Server-Port";
    static final String DB_VALUE = "X-Db-Value";
    static final String FAILURE = "X-Failure";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI api;
    private volatile String token;

    AppClient(URI server, String token) {
        this.api = server.resolve("/app/api/");
        this.token = token;
    }

    /** A response as the tests look at it. */
    record Answer(int status, String body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        boolean ok() {
            return status == 200 || status == 204;
        }

        Answer expectOk(String what) {
            if (!ok()) {
                throw new IllegalStateException(what + ": HTTP " + status + " " + header(FAILURE) + " "
                        + body.lines().findFirst().orElse(""));
            }
            return this;
        }
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Answer post(String path, String body) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer put(String path, String body) throws IOException, InterruptedException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    Optional<String> token() {
        return Optional.ofNullable(token);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "text/plain");
        String t = token;
        if (t != null) {
            b.header(TOKEN, t);
        }
        return b;
    }

    private Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        r.headers().firstValue(TOKEN).ifPresent(t -> token = t);
        return new Answer(r.statusCode(), r.body(), r);
    }
}
