package dev.replication.quarkus;

import dev.replication.cdi.Routed;
import dev.replication.cdi.RoutedPersistence;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;

/**
 * Hands Quarkus' default persistence unit to the CDI extension (as the {@link Routed @Routed}
 * EntityManagerFactory, which Quarkus owns and closes) and starts replication when the
 * application starts, so a configuration error fails startup and the monitor runs from the
 * beginning. Application-scoped.
 */
@ApplicationScoped
public class QuarkusPersistence {

    @Inject
    EntityManagerFactory emf;

    @Produces
    @Routed
    @Dependent
    EntityManagerFactory routedFactory() {
        return emf;
    }

    void start(@Observes StartupEvent event, RoutedPersistence persistence) {
        persistence.replication();
    }
}
