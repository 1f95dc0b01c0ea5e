package dev.replication.guarantees;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyToken;
import dev.replication.Replication;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A mode whose client is the programmatic facade ({@link Replication#write}, {@link Replication#read})
 * on a resource-local session factory built by Hibernate's native bootstrap (the same on every
 * Hibernate line). The client is the thread's consistency scope; another client is another thread
 * with a scope resumed from the token. The cluster's faults are the subclass's.
 */
public abstract class FacadeMode implements GuaranteeMode, AutoCloseable {

    private final String name;
    private final SessionFactory sessionFactory;
    private final Replication replication;
    private final ExecutorService others = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "guarantee-client");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param settings Hibernate and {@code replication.*} settings of the unit (the connection provider and the
     *                 tenant resolver are added here unless given); the table {@link GuaranteeRow#DDL} must exist
     * @param moreEntities entities of the unit besides {@link GuaranteeRow}
     */
    protected FacadeMode(String name, Map<String, Object> settings, Class<?>... moreEntities) {
        this.name = name;
        Configuration cfg = new Configuration().addAnnotatedClass(GuaranteeRow.class);
        for (Class<?> e : moreEntities) {
            cfg.addAnnotatedClass(e);
        }
        cfg.setProperty("hibernate.multi_tenant_connection_provider",
                "dev.replication.hibernate.ReplicationConnectionProvider");
        cfg.setProperty("hibernate.tenant_identifier_resolver", "dev.replication.hibernate.ReplicationTenantResolver");
        cfg.setProperty("hibernate.hbm2ddl.auto", "none");
        settings.forEach((k, v) -> cfg.getProperties().put(k, v));
        this.sessionFactory = cfg.buildSessionFactory();
        this.replication = Replication.of(sessionFactory);
    }

    public Replication replication() {
        return replication;
    }

    public SessionFactory sessionFactory() {
        return sessionFactory;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long insert(String value) {
        return replication.write(em -> {
            GuaranteeRow row = new GuaranteeRow(value);
            em.persist(row);
            em.flush();
            return row.getId();
        });
    }

    @Override
    public void update(long id, String value) {
        replication.write(em -> {
            em.find(GuaranteeRow.class, id).setValue(value);
            return null;
        });
    }

    @Override
    public Read read(long id) {
        return replication.read(em -> {
            GuaranteeRow row = em.find(GuaranteeRow.class, id);
            int port = ((Number) em.createNativeQuery("select inet_server_port()").getSingleResult()).intValue();
            return new Read(row == null ? null : row.getValue(), port);
        });
    }

    @Override
    public Optional<String> token() {
        return replication.currentToken().map(ConsistencyToken::toString);
    }

    @Override
    public <T> T asOtherClient(String token, Callable<T> work) throws Exception {
        return others.submit(() -> {
            ConsistencyScope scope = token == null ? new ConsistencyScope() : ConsistencyScope.resume(token);
            try (ConsistencyScope.Binding b = scope.bind()) {
                return work.call();
            }
        }).get();
    }

    @Override
    public void close() {
        others.shutdownNow();
        sessionFactory.close();
    }
}
