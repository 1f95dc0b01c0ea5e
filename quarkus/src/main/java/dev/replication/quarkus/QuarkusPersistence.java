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
    private static final String PROVIDER_KEY =
            "quarkus.hibernate-orm.unsupported-properties.\"hibernate.multi_tenant_connection_provider\"";

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
        if (QuarkusReplicationConnectionProvider.current() == null) {
            throw new ReplicationConfigurationException("Missing value for '" + PROVIDER_KEY + "': expected "
                    + QuarkusReplicationConnectionProvider.class.getName() + " (Quarkus has no supported key for it)");
        }
        persistence.replication();
    }
}
