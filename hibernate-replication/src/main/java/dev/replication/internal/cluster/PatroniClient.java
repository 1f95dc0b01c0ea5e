package dev.replication.internal.cluster;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a Patroni cluster's members from {@code GET /cluster} of any member's REST API. Tries the
 * configured addresses in turn, starting with the last one that answered. Thread-safe.
 */
public final class PatroniClient {

    /** One member as Patroni reports it. */
    public record Member(String name, String role, String state, String host, int port, long timeline,
                         boolean noLoadBalance) {
        /** Patroni's leader ({@code leader}; {@code master}/{@code primary} in other versions), or a standby cluster's. */
        public boolean leader() {
            return role.equals("leader") || role.equals("master") || role.equals("primary")
                    || role.equals("standby_leader");
        }
    }

    /** What one answer said: the members, in Patroni's order, and the address that answered. */
    public record View(List<Member> members, URI from) {
        /** The leader's name, or null while Patroni names none. */
        public String leader() {
            return members.stream().filter(Member::leader).map(Member::name).findFirst().orElse(null);
        }
    }

    private final List<URI> urls;
    private final Duration timeout;
    private final HttpClient http;
    private volatile int preferred;

    public PatroniClient(List<URI> urls, Duration timeout) {
        this.urls = List.copyOf(urls);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * The members as the first answering address reports them.
     *
     * @throws IOException naming every address and what it answered, when none did
     */
    public View fetch() throws IOException {
        List<String> failures = new ArrayList<>();
        int start = preferred;
        for (int i = 0; i < urls.size(); i++) {
            int index = (start + i) % urls.size();
            URI base = urls.get(index);
            try {
                View v = fetch(base);
                preferred = index;
                return v;
            } catch (IOException e) {
                failures.add(base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("no Patroni REST API answered: " + String.join("; ", failures));
    }

    private View fetch(URI base) throws IOException, InterruptedException {
        String path = base.getPath() == null || base.getPath().isEmpty() || base.getPath().equals("/") ? "/cluster"
                : base.getPath().replaceAll("/+$", "") + "/cluster";
        URI uri = base.resolve(path);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode());
        }
        return new View(parse(r.body()), base);
    }

    /** The members of a {@code /cluster} answer. */
    static List<Member> parse(String json) throws IOException {
        Map<String, Object> root = JSON.std.mapFrom(json);
        if (!(root.get("members") instanceof List<?> list)) {
            throw new IOException("the answer has no 'members' list");
        }
        List<Member> members = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || m.get("name") == null || m.get("host") == null) {
                throw new IOException("a member without 'name' or 'host'");
            }
            Object tags = m.get("tags");
            boolean noLoadBalance = tags instanceof Map<?, ?> t && truthy(t.get("noloadbalance"));
            members.add(new Member(String.valueOf(m.get("name")), text(m.get("role")), text(m.get("state")),
                    String.valueOf(m.get("host")), m.get("port") instanceof Number n ? n.intValue() : 5432,
                    m.get("timeline") instanceof Number n ? n.longValue() : -1, noLoadBalance));
        }
        return List.copyOf(members);
    }

    private static String text(Object o) {
        return o == null ? "" : String.valueOf(o).toLowerCase(Locale.ROOT);
    }

    private static boolean truthy(Object o) {
        return o instanceof Boolean b ? b : o != null && String.valueOf(o).equalsIgnoreCase("true");
    }
}
