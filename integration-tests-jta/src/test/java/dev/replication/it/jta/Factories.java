package dev.replication.it.jta;

import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.EntityManagerFactory;

/** Hands the test's EntityManagerFactory (built with data source objects) to the CDI extension. */
@ApplicationScoped
public class Factories {
    static volatile EntityManagerFactory current;

    @Produces
    @Routed
    @Dependent
    EntityManagerFactory factory() {
        return current;
    }
}
