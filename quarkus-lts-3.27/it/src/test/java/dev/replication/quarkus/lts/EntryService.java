package dev.replication.quarkus.lts;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

@ApplicationScoped
public class EntryService {

    @Inject
    EntityManager em;

    /** Writes an entry on the primary; returns its id and the port the insert ran on. */
    @Primary
    public long[] create(String text) {
        Entry e = new Entry();
        e.text = text;
        em.persist(e);
        em.flush();
        return new long[]{e.id, port()};
    }

    /** Reads an entry on a replica; returns whether it was found and the port the read ran on. */
    @ReadReplica
    public long[] find(long id) {
        return new long[]{em.find(Entry.class, id) == null ? 0 : 1, port()};
    }

    private int port() {
        return ((Number) em.createNativeQuery("select inet_server_port()").getSingleResult()).intValue();
    }
}
