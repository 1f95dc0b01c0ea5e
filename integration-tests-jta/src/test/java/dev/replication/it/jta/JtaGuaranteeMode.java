package dev.replication.it.jta;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyToken;
import dev.replication.guarantees.ClusterFaults;
import dev.replication.guarantees.ClusterFaultsMode;
import dev.replication.guarantees.GuaranteeMode;
import dev.replication.testkit.PgCluster;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Mode "static topology, JTA (Narayana + Agroal pools enlisted in it), CDI on Weld SE": rows are written
 * and read through {@link GuaranteeService} ({@code @Primary}/{@code @ReadReplica} with
 * {@code @Transactional}). A client is the calling thread's current {@link ConsistencyScope} (what the
 * routing interceptor uses without a request context); another client runs on another thread with a scope
 * resumed from the token. Faults: replay paused, a replica SIGKILLed.
 */
final class JtaGuaranteeMode implements ClusterFaultsMode, AutoCloseable {
    private final PgCluster cluster;
    private final GuaranteeService service;
    private final ExecutorService others = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jta-guarantee-client");
        t.setDaemon(true);
        return t;
    });
    private final ClusterFaults faults;

    JtaGuaranteeMode(PgCluster cluster, GuaranteeService service) {
        this.cluster = cluster;
        this.faults = new ClusterFaults(cluster);
        this.service = service;
    }

    @Override
    public String name() {
        return "static, JTA (Narayana + Agroal), CDI @Transactional";
    }

    @Override
    public long insert(String value) throws Exception {
        return service.insert(value);
    }

    @Override
    public void update(long id, String value) throws Exception {
        service.update(id, value);
    }

    @Override
    public Read read(long id) throws Exception {
        return service.read(id);
    }

    @Override
    public Optional<String> token() {
        return ConsistencyScope.current().token().map(ConsistencyToken::toString);
    }

    @Override
    public <T> T asOtherClient(String token, Callable<T> work) throws Exception {
        return others.submit(() -> {
            ConsistencyScope scope = token == null ? new ConsistencyScope() : ConsistencyScope.resume(token);
            try (ConsistencyScope.Binding b = scope.bind()) {
                return work.call();
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
    }
}
