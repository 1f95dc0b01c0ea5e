package dev.replication.it.wildfly;

import dev.replication.guarantees.GuaranteeMode;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;

import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The guarantee bodies' mode for the WAR on WildFly: writes are POST / PUT on a {@code @Primary @Transactional} CDI
 * bean's endpoints, reads GET on a {@code @ReadReplica} one ({@code @PersistenceContext} EntityManager, then
 * {@code inet_server_port()} in the same transaction). A client is a thread with its own {@link AppClient}, which sends
 * back the {@code X-Consistency-Token} it got; another client is another thread starting from the token it is handed.
 */
final class HttpGuaranteeMode implements GuaranteeMode, AutoCloseable {

    private final String name;
    private final URI server;
    private final PgCluster cluster;
    private final Runnable awaitHealthy;
    private final ThreadLocal<AppClient> client;
    private final ExecutorService others = Executors.newCachedThreadPool();
    private PgNode killed;

    HttpGuaranteeMode(String name, URI server, PgCluster cluster, Runnable awaitHealthy) {
        this.name = name;
        this.server = server;
        this.cluster = cluster;
        this.awaitHealthy = awaitHealthy;
        this.client = ThreadLocal.withInitial(() -> new AppClient(server, null));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long insert(String value) throws Exception {
        return Long.parseLong(client.get().post("items", value).expectOk("POST items").body());
    }

    @Override
    public void update(long id, String value) throws Exception {
        client.get().put("items/" + id, value).expectOk("PUT items/" + id);
    }

    @Override
    public Read read(long id) throws Exception {
        AppClient.Answer a = client.get().get("items/" + id);
        if (a.status() != 200 && a.status() != 404) {
            a.expectOk("GET items/" + id);
        }
        return new Read(a.status() == 200 ? a.body() : null, Integer.parseInt(a.header(AppClient.PORT)));
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
    public void holdReplicas() {
        cluster.replicas().forEach(PgNode::pauseReplay);
    }

    @Override
    public void releaseReplicas() {
        cluster.replicas().forEach(PgNode::resumeReplay);
    }

    @Override
    public Set<Integer> replicaPorts() {
        return cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }

    @Override
    public int killReplica() {
        killed = cluster.replicas().get(0);
        killed.kill();
        return killed.port();
    }

    @Override
    public void restartKilledReplica() {
        if (killed != null) {
            killed.start();
            killed = null;
            awaitHealthy.run();
        }
    }

    @Override
    public void close() {
        others.shutdownNow();
        client.remove();
    }
}
