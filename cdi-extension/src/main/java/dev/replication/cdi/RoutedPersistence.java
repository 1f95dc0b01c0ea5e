package dev.replication.cdi;

import dev.replication.Replication;
import dev.replication.ReplicationConfigurationException;
import dev.replication.cdi.internal.CurrentEntityManager;
import dev.replication.cdi.internal.Jta;
import dev.replication.cdi.internal.JtaCalls;
import dev.replication.cdi.internal.Metrics;
import dev.replication.cdi.internal.OutOfScopeEntityManager;
import dev.replication.cdi.internal.PersistenceUnits;
import dev.replication.integration.spi.ReplicationIntegration;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import org.hibernate.Session;
import org.hibernate.engine.spi.SessionLazyDelegator;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Owns the replicated {@link EntityManagerFactory} of the application and produces the
 * {@link Routed @Routed} beans. The application writes no producer: this bean ships in the
 * extension's bean archive ({@code META-INF/beans.xml}, no portable extension, so it works in
 * containers that do not run portable extensions, such as Quarkus ArC).
 * <p>
 * <b>How the EntityManagerFactory is obtained</b>, on first use:
 * <ol>
 *   <li>When the application has a bean {@code @Routed EntityManagerFactory}, that one is used
 *       (and the application closes it).</li>
 *   <li>Otherwise the persistence unit is the one named by the system property
 *       {@code dev.replication.cdi.persistence-unit} (default: the only unit in {@code META-INF/persistence.xml}).
 *       On an application server, which deployed that unit itself, the server's factory is used, as
 *       {@code @PersistenceUnit(unitName = ...)} would inject it (see {@link ContainerPersistenceUnit}); the server
 *       closes it. No second factory, monitor or pool set is made beside the server's.</li>
 *   <li>Where the container manages no such unit (Weld SE), it is created with
 *       {@link Persistence#createEntityManagerFactory(String, Map)}, with every system property
 *       starting with {@code replication.}, {@code hibernate.} or {@code jakarta.persistence.} as
 *       overrides (so deployment-specific URLs and passwords need not be in persistence.xml). It is
 *       closed when the application context ends.</li>
 * </ol>
 * When Micrometer is on the classpath and the application has one {@code MeterRegistry} bean, the
 * library's meters ({@code replication.*}, see docs/observability.md) are bound to it.
 * <p>
 * Either way the unit must use {@code dev.replication.hibernate.ReplicationConnectionProvider} and
 * {@code dev.replication.hibernate.ReplicationTenantResolver}; otherwise startup fails naming the
 * key.
 * <p>
 * <b>The routed EntityManager</b> ({@code @Inject @Routed EntityManager}; also a Hibernate
 * {@link Session} through {@code unwrap}) is a stateless handle: each operation goes to the
 * EntityManager of the innermost {@link ReadReplica}/{@link Primary} call in progress on the thread
 * (a replica inside {@code @ReadReplica}, the primary inside {@code @Primary}). Outside any annotated
 * call it goes to a request-scoped EntityManager on the primary, opened on first use and closed when
 * the request ends (no transaction: use {@code @Primary} to write); with no active request context it
 * throws {@link IllegalStateException}. Do not close it.
 */
@ApplicationScoped
public class RoutedPersistence {

    private static final Logger LOG = Logger.getLogger(RoutedPersistence.class);

    @Inject
    @Routed
    Instance<EntityManagerFactory> appFactory;

    @Inject
    Instance<OutOfScopeEntityManager> outOfScope;

    @Inject
    Instance<Object> beans;

    @Inject
    BeanManager beanManager;

    private volatile Jta jta;
    private JtaCalls jtaCalls;

    private EntityManagerFactory emf;
    private boolean owned;
    private Replication replication;
    private ReplicationIntegration integration;
    private EntityManager routed;
    private AutoCloseable metrics;

    @PostConstruct
    void start() {
        if (appFactory.isResolvable()) {
            emf = appFactory.get();
            owned = false;
        } else if (appFactory.isAmbiguous()) {
            throw new ReplicationConfigurationException("Several EntityManagerFactory beans qualified @Routed: keep one");
        } else {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            String unit = PersistenceUnits.chooseUnit(loader == null ? RoutedPersistence.class.getClassLoader() : loader);
            EntityManagerFactory container = ContainerPersistenceUnit.lookup(beanManager, unit);
            if (container != null) {
                LOG.debugf("Routing the container's EntityManagerFactory of persistence unit '%s'", unit);
                emf = container;
                owned = false;
            } else {
                LOG.debugf("Creating EntityManagerFactory for persistence unit '%s'", unit);
                emf = Persistence.createEntityManagerFactory(unit, PersistenceUnits.overrides());
                owned = true;
            }
        }
        try {
            integration = ReplicationIntegration.of(emf);
            replication = integration.replication();
            jtaCalls = JtaCalls.of(emf, integration);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        routed = new RoutedEntityManager(this);
        metrics = Metrics.bindIfPresent(replication, beans);
    }

    @PreDestroy
    void stop() {
        if (metrics != null) {
            try {
                metrics.close();
            } catch (Exception e) {
                LOG.debugf(e, "closing the replication meters failed");
            }
            metrics = null;
        }
        if (owned && emf != null && emf.isOpen()) {
            emf.close();
        }
    }

    /** The replicated EntityManagerFactory (do not close it unless you provided it). */
    public EntityManagerFactory entityManagerFactory() {
        return emf;
    }

    /** The programmatic facade over the same factory (shared with the interceptor). */
    public Replication replication() {
        return replication;
    }

    /** For the interceptor: the integration handle of the factory (failure translation). */
    ReplicationIntegration integration() {
        return integration;
    }

    /** For the interceptor: the runner of calls of a JTA unit, {@code null} for a resource-local one. */
    JtaCalls jtaCalls() {
        return jtaCalls;
    }

    /** For the interceptor: JTA detection, looked up once. */
    Jta jta() {
        Jta j = jta;
        if (j == null) {
            j = Jta.lookup(beans);
            jta = j;
        }
        return j;
    }

    /** The routed EntityManager, see the class comment. */
    @Produces
    @Routed
    @Dependent
    EntityManager routedEntityManager() {
        return routed;
    }

    /** The facade, injectable as {@code @Inject @Routed Replication}. */
    @Produces
    @Routed
    @Dependent
    Replication routedReplication() {
        return replication;
    }

    /** The EntityManager the routed handle talks to now. */
    EntityManager current() {
        EntityManager em = CurrentEntityManager.top();
        if (em != null) {
            return em;
        }
        try {
            return outOfScope.get().entityManager(emf);
        } catch (ContextNotActiveException e) {
            throw new IllegalStateException("The @Routed EntityManager was used outside any @ReadReplica/@Primary"
                    + " call and without an active request context: annotate the calling bean method with"
                    + " @ReadReplica or @Primary (or activate a request context)", e);
        }
    }

    /** The routed handle: a Hibernate Session delegating each call to {@link #current()}. */
    static final class RoutedEntityManager extends SessionLazyDelegator {
        RoutedEntityManager(RoutedPersistence owner) {
            super(() -> owner.current().unwrap(Session.class));
        }

        @Override
        public void close() {
            throw new IllegalStateException("The @Routed EntityManager is managed by the container: do not close it");
        }

        @Override
        public String toString() {
            return "@Routed EntityManager";
        }
    }
}
