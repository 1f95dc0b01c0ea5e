package dev.replication.quarkus.devservices;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

@ApplicationScoped
public class ItemService {

    @Inject
    EntityManager em;

    @Primary
    public long create(String text) {
        Item i = new Item(text);
        em.persist(i);
        em.flush();
        return i.id;
    }

    @ReadReplica
    public Item find(long id) {
        return em.find(Item.class, id);
    }

    @Primary
    public int primaryPort() {
        return port();
    }

    @ReadReplica
    public int replicaPort() {
        return port();
    }

    private int port() {
        return ((Number) em.createNativeQuery("select inet_server_port()").getSingleResult()).intValue();
    }
}
