package dev.replication.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replication.testkit.PatroniMemberStatus;
import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Patroni's REST API (3.0.x) and etcd's v3 JSON gateway over {@link HttpClient}; JSON through
 * Jackson. Thread-safe.
 */
public final class PatroniRest {
    /** Shared JSON mapper (thread-safe once configured). */
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    private PatroniRest() {
    }

    /**
     * A response.
     *
     * @param status the HTTP status
     * @param body the body text
     */
    public record Response(int status, String body) {
    }

    /**
     * @param url the URL
     * @param timeout request timeout
     * @return the response (any status)
     * @throws IOException when the server cannot be reached
     */
    public static Response get(String url, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build());
    }

    /**
     * @param url the URL
     * @param json the JSON body
     * @param timeout request timeout
     * @return the response (any status)
     * @throws IOException when the server cannot be reached
     */
    public static Response post(String url, Object json, Duration timeout) throws IOException {
        String body = JSON.writeValueAsString(json);
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static Response send(HttpRequest request) throws IOException {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgClusterException("interrupted calling " + request.uri(), e);
        }
    }

    /**
     * {@code GET <restUrl>/cluster}, parsed.
     *
     * @param restUrl e.g. {@code http://127.0.0.1:8008}
     * @return the members, sorted by name as Patroni sorts them
     * @throws IOException when the member cannot be reached or answers other than 200
     */
    public static List<PatroniMemberStatus> cluster(String restUrl) throws IOException {
        Response r = get(restUrl + "/cluster", Duration.ofSeconds(3));
        if (r.status() != 200) {
            throw new IOException("GET " + restUrl + "/cluster: HTTP " + r.status() + ": " + r.body());
        }
        return parseCluster(JSON.readTree(r.body()));
    }

    /**
     * @param root the JSON of {@code GET /cluster}
     * @return its members
     */
    public static List<PatroniMemberStatus> parseCluster(JsonNode root) {
        List<PatroniMemberStatus> out = new ArrayList<>();
        for (JsonNode m : root.path("members")) {
            Map<String, String> tags = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : m.path("tags").properties()) {
                tags.put(e.getKey(), e.getValue().asText());
            }
            JsonNode lag = m.get("lag");
            JsonNode tl = m.get("timeline");
            out.add(new PatroniMemberStatus(m.path("name").asText(), m.path("role").asText(), m.path("state").asText(),
                    m.path("api_url").asText(null), m.hasNonNull("host") ? m.get("host").asText() : null,
                    m.path("port").asInt(0), tl != null && tl.canConvertToInt() ? tl.asInt() : null,
                    lag != null && lag.isIntegralNumber() ? lag.asLong() : null, tags));
        }
        return out;
    }
}
