package dev.replication.it.jta;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** A typical EE service: routing annotations with and without {@code @Transactional}. */
@ApplicationScoped
public class LedgerService {

    /** A checked exception, which {@code @Transactional} does not roll back for by default. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    @Inject
    @Routed
    EntityManager em;

    @ReadReplica
    public Where whereRead() {
        return Where.of(em);
    }

    @ReadReplica
    @Transactional
    public Where whereReadTx() {
        return Where.of(em);
    }

    @ReadReplica(leaveTransaction = true)
    public Where whereReadLeavingTx() {
        return Where.of(em);
    }

    @ReadReplica
    @Transactional
    public long amount(long id) {
        Ledger l = em.find(Ledger.class, id);
        return l == null ? -1 : l.getAmount();
    }

    @ReadReplica
    public long amountNoTx(long id) {
        Ledger l = em.find(Ledger.class, id);
        return l == null ? -1 : l.getAmount();
    }

    @Primary
    @Transactional
    public Where put(long id, long amount) {
        upsert(id, amount);
        return Where.of(em);
    }

    @Primary
    public Where putNoTx(long id, long amount) {
        upsert(id, amount);
        return Where.of(em);
    }

    @Primary
    @Transactional
    public void putThenFail(long id, long amount) {
        upsert(id, amount);
        em.flush();
        throw new IllegalStateException("fails after the write");
    }

    @Primary
    @Transactional
    public void putThenRefuse(long id, long amount) throws Refused {
        upsert(id, amount);
        em.flush();
        throw new Refused("checked: commits per @Transactional's rules");
    }

    @Primary
    public void putNoTxThenFail(long id, long amount) {
        upsert(id, amount);
        em.flush();
        throw new IllegalStateException("fails after the write");
    }

    /** Writes and flushes, then runs {@code then} before the transaction commits. */
    @Primary
    @Transactional
    public void putThen(long id, long amount, Runnable then) {
        upsert(id, amount);
        em.flush();
        then.run();
    }

    @ReadReplica
    @Transactional
    public void writeInRead(long id) {
        em.persist(new Ledger(id, 1));
        em.flush();
    }

    private void upsert(long id, long amount) {
        Ledger l = em.find(Ledger.class, id);
        if (l == null) {
            em.persist(new Ledger(id, amount));
        } else {
            l.setAmount(amount);
        }
    }
}
