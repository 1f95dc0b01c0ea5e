package dev.replication.it.wildfly;

import dev.replication.guarantees.ClusterFaults;
import dev.replication.guarantees.ClusterFaultsMode;
import dev.replication.guarantees.GuaranteeMode;
import dev.replication.testkit.PgCluster;

import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The guarantee bodies' mode for the WAR on WildFly: writes are POST / PUT on a {@code @Primary @Transactional} CDI
 * bean's endpoints, reads GET on a {@code @ReadReplica} one ({@code @PersistenceContext} EntityManager, then
 * {@code inet_server_port()} in the same transaction). A client is a thread with its own {@link AppClient}, which sends
 * back the {@code X-Consistency-Token} it got; another client is another thread starting from the token it is handed.
 */
final class HttpGuaranteeMode implements ClusterFaultsMode, AutoCloseable {

    private final String name;
    private final URI server;
    private final PgCluster cluster;
    private final Runnable awaitHealthy;
    private final ThreadLocal<AppClient> client;
    private final ExecutorService others = Executors.newCachedThreadPool();
    private final ClusterFaults faults;
    private final java.util.Queue<String> divergent = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.Map<Long, String> written = new java.util.concurrent.ConcurrentHashMap<>();

    HttpGuaranteeMode(String name, URI server, PgCluster cluster, Runnable awaitHealthy) {
        this.name = name;
        this.server = server;
        this.cluster = cluster;
        this.faults = new ClusterFaults(cluster);
        this.awaitHealthy = awaitHealthy;
        this.client = ThreadLocal.withInitial(() -> new AppClient(server, null));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long insert(String value) throws Exception {
        AppClient c = client.get();
        long id = Long.parseLong(c.post("items", value).expectOk("POST items").body());
        written.put(id, value + "@" + c.token().orElse("-"));
        return id;
    }

    @Override
    public void update(long id, String value) throws Exception {
        AppClient c = client.get();
        c.put("items/" + id, value).expectOk("PUT items/" + id);
        written.put(id, value + "@" + c.token().orElse("-"));
    }

    @Override
    public Read read(long id) throws Exception {
        String sent = client.get().token().orElse("-");
        AppClient.Answer a = client.get().get("items/" + id);
        if (a.status() != 200 && a.status() != 404) {
            a.expectOk("GET items/" + id);
        }
        String value = a.status() == 200 ? a.body() : null;
        String last = written.get(id);
        if (last != null && !sent.equals("-") && !last.startsWith(value + "@")) {
            // this client wrote something else last: what the read was sent with and where it ran
            divergent.add("row " + id + ": read '" + value + "' after this client wrote '" + last + "'; the read sent"
                    + " token " + sent + ", ran on port " + a.header(AppClient.PORT) + " at WAL "
                    + a.header("X-Server-Lsn") + ", whose table had '" + a.header(AppClient.DB_VALUE) + "' (session "
                    + a.header("X-Session") + ")");
        }
        return new Read(value, Integer.parseInt(a.header(AppClient.PORT)));
    }

    /** Reads by a client that did not answer what that client wrote last, with what they were sent and saw. */
    java.util.List<String> divergent() {
        return java.util.List.copyOf(divergent);
    }

    @Override
    public Optional<String> token() {
        return client.get().token();
    }

    @Override
    public <T> T asOtherClient(String token, Callable<T> work) throws Exception {
        return others.submit(() -> {
            client.set(new AppClient(server, token));
            try {
                return work.call();
            } finally {
                client.remove();
            }
        }).get(60, TimeUnit.SECONDS);
    }

    @Override
    public ClusterFaults faults() {
        return faults;
    }

    @Override
    public void close() {
        others.shutdownNow();
        client.remove();
    }
}
