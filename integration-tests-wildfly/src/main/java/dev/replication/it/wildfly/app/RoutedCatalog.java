package dev.replication.it.wildfly.app;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/** The same through the library's {@code @Inject @Routed EntityManager} instead of {@code @PersistenceContext}. */
@ApplicationScoped
public class RoutedCatalog {

    @Inject
    @Routed
    EntityManager em;

    @ReadReplica
    public Row find(long id) {
        return Row.read(em, id);
    }

    @Primary
    public long insert(String value) {
        Item item = new Item(value);
        em.persist(item);
        em.flush();
        return item.getId();
    }
}
