package dev.replication.it.cdi;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/** Class-level @Primary. */
@ApplicationScoped
@Primary
public class PrimaryBean {
    @Inject
    @Routed
    EntityManager em;

    @Inject
    ReplicaBean replica;

    public Where where() {
        return Where.of(em);
    }

    @ReadReplica
    public Where whereOnReadMethod() {
        return Where.of(em);
    }

    public Where insert(long id, String text) {
        em.persist(new Note(id, text));
        return Where.of(em);
    }

    public void insertAndFail(long id) {
        em.persist(new Note(id, "rolled back"));
        em.flush();
        throw new IllegalStateException("boom");
    }

    public void insertAndFailChecked(long id) throws Exception {
        em.persist(new Note(id, "rolled back"));
        em.flush();
        throw new Exception("checked boom");
    }

    /** @Primary calling @ReadReplica: the read stays on the primary, in this transaction (sees the unflushed-then-flushed row). */
    public Object[] insertThenRead(long id) {
        em.persist(new Note(id, "inside"));
        em.flush();
        return new Object[] {replica.where(), replica.text(id)};
    }
}
