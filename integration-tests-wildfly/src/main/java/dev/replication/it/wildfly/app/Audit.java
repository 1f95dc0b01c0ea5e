package dev.replication.it.wildfly.app;

import dev.replication.cdi.Primary;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/** Writes in a transaction of its own, whatever the caller's outcome. */
@Stateless
public class Audit {

    @PersistenceContext
    EntityManager em;

    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void record(String value) {
        em.persist(new Item(value));
        em.flush();
    }
}
