package dev.replication.quarkus;

import dev.replication.ReplicationConfigurationException;
import dev.replication.cdi.Routed;
import dev.replication.cdi.RoutedPersistence;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * Hands Quarkus' default persistence unit to the CDI extension (as the {@link Routed @Routed}
 * EntityManagerFactory, which Quarkus owns and closes) and starts replication when the
 * application starts, so a configuration error fails startup and the monitor runs from the
 * beginning. Application-scoped.
 */
@ApplicationScoped
public class QuarkusPersistence {

    private static final String MULTITENANT = "quarkus.hibernate-orm.multitenant";

    @Inject
    EntityManagerFactory emf;

    @Produces
    @Routed
    @Dependent
    EntityManagerFactory routedFactory() {
        return emf;
    }

    void start(@Observes StartupEvent event, RoutedPersistence persistence) {
        if (emf.unwrap(SessionFactoryImplementor.class).getSessionFactoryOptions().getCurrentTenantIdentifierResolver() == null) {
            throw new ReplicationConfigurationException("Missing value for '" + MULTITENANT
                    + "': expected DATABASE (each node is a tenant, resolved by " + NodeTenantResolver.class.getName() + ")");
        }
        QuarkusReplicationConnectionProvider provider = QuarkusReplicationConnectionProvider.current();
        if (provider == null) {
            throw new ReplicationConfigurationException("The default persistence unit does not use "
                    + QuarkusReplicationConnectionProvider.class.getName() + ": the extension's build step sets it as the"
                    + " unit's multi-tenant connection provider; build the application with Quarkus' Maven or Gradle plugin"
                    + " (or @QuarkusTest) so that hibernate-replication-quarkus-deployment runs, and do not set"
                    + " quarkus.hibernate-orm.unsupported-properties.\"hibernate.multi_tenant_connection_provider\"");
        }
        checkCacheGuard(emf.unwrap(SessionFactoryImplementor.class).getSessionFactoryOptions(), provider);
        persistence.replication();
    }

    /**
     * With the second-level or query cache on, replica sessions must be kept off it (an entry cached
     * under a replica's tenant is never invalidated by a write on the primary). The core's
     * {@code ReplicationIntegrator} installs that guard; Quarkus finds Hibernate integrators through
     * {@code META-INF/services} at build time and hands them to the runtime session factory. Should
     * that ever stop, startup fails here rather than reads going stale.
     */
    static void checkCacheGuard(SessionFactoryOptions options, QuarkusReplicationConnectionProvider provider) {
        if ((options.isSecondLevelCacheEnabled() || options.isQueryCacheEnabled())
                && !provider.runtime().secondLevelCacheGuard()) {
            throw new ReplicationConfigurationException("The second-level cache is on but "
                    + "dev.replication.hibernate.ReplicationIntegrator did not run for the persistence unit, so replica"
                    + " sessions would cache what they read and serve it after later writes: keep"
                    + " META-INF/services/org.hibernate.integrator.spi.Integrator of hibernate-replication in the"
                    + " application, or set quarkus.hibernate-orm.second-level-caching-enabled=false");
        }
    }
}
