package dev.replication.it.cdi;

import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/** No routing annotation: the routed EntityManager behaves as the primary. */
@ApplicationScoped
public class PlainBean {
    @Inject
    @Routed
    EntityManager em;

    public Where where() {
        return Where.of(em);
    }
}
