package dev.replication.it.wildfly.app;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;

/**
 * A CDI bean of the usual shape: the container's transaction-scoped EntityManager ({@code @PersistenceContext}),
 * {@code @ReadReplica} on the class, {@code @Primary} + {@code @Transactional} on writes. Commit and rollback follow
 * {@code @Transactional}'s rules where it is present, the library's (roll back on any exception) where it is not.
 */
@ApplicationScoped
@ReadReplica
public class Catalog {

    @PersistenceContext
    EntityManager em;

    /** A replica, in the transaction the interceptor begins (no {@code @Transactional}). */
    public Row find(long id) {
        return Row.read(em, id);
    }

    /** A replica, in {@code @Transactional}'s transaction. */
    @Transactional
    public Row findTransactional(long id) {
        return Row.read(em, id);
    }

    /** A strong read: the primary, read-only. */
    @Primary(readOnly = true)
    public Row findStrong(long id) {
        return Row.read(em, id);
    }

    @Primary
    @Transactional
    public long insert(String value) {
        Item item = new Item(value);
        em.persist(item);
        em.flush();
        return item.getId();
    }

    @Primary
    @Transactional
    public Row insertAndWhere(String value) {
        em.persist(new Item(value));
        em.flush();
        return Row.where(em, value);
    }

    @Primary
    @Transactional
    public void update(long id, String value) {
        em.find(Item.class, id).setValue(value);
    }

    /** {@code @Transactional}: a runtime exception rolls back. */
    @Primary
    @Transactional
    public void insertThenRuntime(String value) {
        insertFlushed(value);
        throw new IllegalStateException("runtime failure after inserting " + value);
    }

    /** {@code @Transactional}: a checked exception commits. */
    @Primary
    @Transactional
    public void insertThenChecked(String value) throws AppFailure {
        insertFlushed(value);
        throw new AppFailure("checked failure after inserting " + value);
    }

    /** {@code @Transactional(rollbackOn)}: this checked exception rolls back. */
    @Primary
    @Transactional(rollbackOn = AppFailure.class)
    public void insertThenCheckedRollbackOn(String value) throws AppFailure {
        insertFlushed(value);
        throw new AppFailure("checked failure (rollbackOn) after inserting " + value);
    }

    /** No {@code @Transactional}: the interceptor's own transaction, committed on return. */
    @Primary
    public long insertWithoutTransactional(String value) {
        return insertFlushed(value);
    }

    /** No {@code @Transactional}: the interceptor rolls back on any exception, checked ones too. */
    @Primary
    public void insertWithoutTransactionalThenChecked(String value) throws AppFailure {
        insertFlushed(value);
        throw new AppFailure("checked failure after inserting " + value);
    }

    /** A write inside a replica read: refused (read-only). */
    public void writeInRead(String value) {
        insertFlushed(value);
    }

    private long insertFlushed(String value) {
        Item item = new Item(value);
        em.persist(item);
        em.flush();
        return item.getId();
    }
}
