package dev.replication.it.jta;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/** A caller that begins a JTA transaction before any routing annotation is seen (like a CMT EJB). */
@ApplicationScoped
public class OuterService {

    @Inject
    LedgerService ledger;

    /** The read joins the caller's transaction: it stays on the transaction's node. */
    @Transactional
    public Where readInside() {
        return ledger.whereReadTx();
    }

    /** A read then a write in the caller's transaction: the read must not make that transaction read-only. */
    @Transactional
    public Where[] readThenWriteInside(long id, long amount) {
        Where read = ledger.whereReadTx();
        Where write = ledger.put(id, amount);
        return new Where[]{read, write};
    }

    /** The opt-in: the read leaves the caller's transaction (suspended, then resumed). */
    @Transactional
    public Where[] readLeaving(long id, long amount) {
        Where before = ledger.put(id, amount);
        Where read = ledger.whereReadLeavingTx();
        return new Where[]{before, read, new Where(0, false, JtaTestBase.transactionActive())};
    }
}
