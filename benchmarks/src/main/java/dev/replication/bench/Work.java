package dev.replication.bench;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import org.hibernate.Session;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/** The units of work the benchmarks time: one request on plain Hibernate, and the statements inside. */
final class Work {

    private Work() {
    }

    /** A typical request on plain Hibernate: new EntityManager, one transaction (read-only if asked), {@code work}. */
    static <T> T plainTx(EntityManagerFactory emf, boolean readOnly, Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = null;
        try {
            if (readOnly) {
                em.unwrap(Session.class).setDefaultReadOnly(true);
            }
            tx = em.getTransaction();
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } catch (RuntimeException e) {
            if (tx != null && tx.isActive()) {
                try {
                    tx.rollback();
                } catch (RuntimeException ignored) {
                    // original failure matters
                }
            }
            throw e;
        } finally {
            em.close();
        }
    }

    /** A random id of the read rows, {@code 1..ROWS}. */
    static long randomId() {
        return ThreadLocalRandom.current().nextLong(1, BenchContext.ROWS + 1);
    }

    /** The port of the server this EntityManager's connection talks to. */
    static int port(EntityManager em) {
        return ((Number) em.createNativeQuery("SELECT inet_server_port()").getSingleResult()).intValue();
    }

    /** JPQL UPDATE of one row's value. */
    static int update(EntityManager em, long id, long val) {
        return em.createQuery("UPDATE Item i SET i.val = :v WHERE i.id = :id")
                .setParameter("v", val).setParameter("id", id).executeUpdate();
    }

    static long readVal(EntityManager em, long id) {
        return em.find(Item.class, id).getVal();
    }
}
