package dev.replication.it.cdi;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/** Class-level @ReadReplica. */
@ApplicationScoped
@ReadReplica
public class ReplicaBean {
    @Inject
    @Routed
    EntityManager em;

    @Inject
    PrimaryBean primary;

    public Where where() {
        return Where.of(em);
    }

    @Primary
    public Where whereOnPrimaryMethod() {
        return Where.of(em);
    }

    @Primary(readOnly = true)
    public Where strongWhere() {
        return Where.of(em);
    }

    public String text(long id) {
        Note n = em.find(Note.class, id);
        return n == null ? null : n.getText();
    }

    public void writeInRead(long id) {
        em.persist(new Note(id, "must fail"));
        em.flush();
    }

    /** @ReadReplica calling @Primary: the write goes to the primary; afterwards this call is still on its replica. */
    public Where[] readThenWrite(long id) {
        Where before = where();
        Where inner = primary.insert(id, "from read");
        return new Where[] {before, inner, Where.of(em)};
    }
}
