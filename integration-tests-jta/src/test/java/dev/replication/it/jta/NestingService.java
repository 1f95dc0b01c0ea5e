package dev.replication.it.jta;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Annotated calls that call other annotated beans (a bean calling itself, even through its own
 * proxy, is not intercepted again by Weld while its first call is intercepted).
 */
@ApplicationScoped
public class NestingService {

    @Inject
    @Routed
    EntityManager em;

    @Inject
    LedgerService ledger;

    /** A write nested in a read: runs in its own transaction on the primary. */
    @ReadReplica
    @Transactional
    public Where[] readThenWrite(long id, long amount) {
        Where read = Where.of(em);
        Where write = ledger.put(id, amount);
        Where after = Where.of(em);
        return new Where[]{read, write, after};
    }

    /** A read nested in a write: stays in the write's transaction on the primary. */
    @Primary
    @Transactional
    public Where[] writeThenRead(long id, long amount) {
        Where write = ledger.put(id, amount);
        Where read = ledger.whereReadTx();
        return new Where[]{write, read};
    }
}
