package dev.replication.quarkus.it;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** Uses Quarkus' own injected EntityManager, as an application does. */
@ApplicationScoped
public class NoteService {

    @Inject
    EntityManager em;

    @Primary
    public long create(String text) {
        Note n = new Note(text);
        em.persist(n);
        em.flush();
        return n.id;
    }

    @ReadReplica
    public Note find(long id) {
        return em.find(Note.class, id);
    }

    @ReadReplica
    public int readPort() {
        return port();
    }

    @ReadReplica
    @Transactional
    public int readPortTransactional() {
        return port();
    }

    @Primary
    public int primaryPort() {
        return port();
    }

    @ReadReplica
    public void writeInRead(String text) {
        em.persist(new Note(text));
        em.flush();
    }

    /** Not annotated: Quarkus' request-scoped session, on the default tenant (the primary). */
    public int plainPort() {
        return port();
    }

    private int port() {
        return ((Number) em.createNativeQuery("select inet_server_port()").getSingleResult()).intValue();
    }
}
