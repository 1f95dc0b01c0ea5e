package dev.replication.it.wildfly.app;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/**
 * A stateless session bean with container-managed transactions. The EJB container begins (or not) the transaction
 * before the library's CDI interceptor runs, so: where a transaction is active (REQUIRED, REQUIRES_NEW) the call is
 * pinned to the primary (routing reason PINNED_BY_TRANSACTION) unless {@code @ReadReplica(leaveTransaction = true)};
 * where none is (SUPPORTS or NOT_SUPPORTED called without one) the library runs the call in a transaction of its own
 * on its node. Commit and rollback follow the EJB rules: system (runtime) exceptions and
 * {@code @ApplicationException(rollback = true)} roll back, other checked exceptions commit,
 * {@code setRollbackOnly()} rolls back.
 */
@Stateless
public class Ledger {

    @PersistenceContext
    EntityManager em;

    @Resource
    SessionContext context;

    @EJB
    Audit audit;

    @ReadReplica
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Row readRequired(long id) {
        return Row.read(em, id);
    }

    @ReadReplica(leaveTransaction = true)
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Row readRequiredLeaving(long id) {
        return Row.read(em, id);
    }

    @ReadReplica
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Row readRequiresNew(long id) {
        return Row.read(em, id);
    }

    @ReadReplica
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Row readSupports(long id) {
        return Row.read(em, id);
    }

    @ReadReplica
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Row readNotSupported(long id) {
        return Row.read(em, id);
    }

    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public Row insertRequired(String value) {
        return insert(value);
    }

    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Row insertRequiresNew(String value) {
        return insert(value);
    }

    @Primary
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Row insertSupports(String value) {
        return insert(value);
    }

    @Primary
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Row insertNotSupported(String value) {
        return insert(value);
    }

    /** A system exception: the container rolls back. */
    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void insertThenRuntime(String value) {
        insert(value);
        throw new IllegalStateException("runtime failure after inserting " + value);
    }

    /** An application exception: the container commits. */
    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void insertThenApplicationException(String value) throws AppFailure {
        insert(value);
        throw new AppFailure("application failure after inserting " + value);
    }

    /** An application exception with rollback = true: the container rolls back. */
    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void insertThenRollbackApplicationException(String value) throws RollbackFailure {
        insert(value);
        throw new RollbackFailure("application failure (rollback) after inserting " + value);
    }

    /** Marked for rollback, returns normally: the container rolls back. */
    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void insertThenSetRollbackOnly(String value) {
        insert(value);
        context.setRollbackOnly();
    }

    /** The audit row commits in its own transaction (REQUIRES_NEW); this one rolls back. */
    @Primary
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void insertWithAuditThenRuntime(String value) {
        audit.record(value + "-audit");
        insert(value);
        throw new IllegalStateException("runtime failure after inserting " + value);
    }

    private Row insert(String value) {
        em.persist(new Item(value));
        em.flush();
        return Row.where(em, value);
    }
}
