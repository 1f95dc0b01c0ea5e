package dev.replication.cdi.internal;

import dev.replication.Intent;
import dev.replication.ReplicationConfigurationException;
import dev.replication.RoutingDecision;
import dev.replication.RoutingOptions;
import dev.replication.RoutingScope;
import dev.replication.Routing;
import dev.replication.integration.spi.ReplicationIntegration;
import jakarta.interceptor.InvocationContext;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder;

import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

// Over ~300 lines: the four cases of a JTA call (own, nested, joined, suspended) share one path for
// transactions, retries and failure translation.
/**
 * Annotated calls of a JTA persistence unit. The node is always decided before a transaction
 * begins, and each transaction touches one node, so local (one-phase) resources suffice:
 * <ul>
 *   <li>No transaction active: the call gets one of its own on its node. With
 *       {@code @Transactional} on the method or class, that interceptor (which runs after this one)
 *       begins and ends it, by its own rules; without, this class begins it through the
 *       {@link TransactionManager} and commits on return, rolls back on any exception.</li>
 *   <li>Inside an annotated call's transaction: a read, or a write inside a write, joins it on its
 *       node; a write (or strong read) inside a replica read suspends it and runs in a transaction of
 *       its own on the primary, then resumes it.</li>
 *   <li>Inside a transaction somebody else began (a caller's {@code @Transactional}, a
 *       container-managed transaction): the call is pinned to the primary and joins it, unless it is
 *       a read with {@link RoutingOptions#leaveTransaction()}, which suspends it, reads on a replica
 *       in its own read-only transaction and resumes it.</li>
 * </ul>
 * The EntityManager of a call is opened on first use, inside the transaction, so it joins it; it is
 * closed when the transaction it joined has completed.
 */
public final class JtaCalls {

    private record Key(Class<?> target, Method method) {
    }

    private final TransactionManager tm;
    private final EntityManagerFactory emf;
    private final ReplicationIntegration integration;
    private final ConcurrentMap<Key, Boolean> transactional = new ConcurrentHashMap<>();

    private JtaCalls(TransactionManager tm, EntityManagerFactory emf, ReplicationIntegration integration) {
        this.tm = tm;
        this.emf = emf;
        this.integration = integration;
    }

    /** The JTA runner for {@code emf}, or {@code null} when its unit uses resource-local transactions. */
    public static JtaCalls of(EntityManagerFactory emf, ReplicationIntegration integration) {
        SessionFactoryImplementor sf = emf.unwrap(SessionFactoryImplementor.class);
        if (!sf.getServiceRegistry().requireService(TransactionCoordinatorBuilder.class).isJta()) {
            return null;
        }
        TransactionManager tm = sf.getServiceRegistry().requireService(JtaPlatform.class).retrieveTransactionManager();
        if (tm == null) {
            throw new ReplicationConfigurationException("The persistence unit uses JTA transactions but its JTA platform"
                    + " gives no TransactionManager: set 'hibernate.transaction.jta.platform' (for example Narayana)");
        }
        return new JtaCalls(tm, emf, integration);
    }

    public Object invoke(InvocationContext ic, RouteSpec spec) throws Exception {
        Transaction active = activeTransaction();
        if (active == null) {
            return own(ic, spec, withoutLeave(spec.options()));
        }
        CurrentEntityManager.Frame top = CurrentEntityManager.topFrame();
        boolean leave = spec.intent() == Intent.READ && spec.options().leaveTransaction();
        boolean primaryInsideReplica = spec.intent() != Intent.READ && top != null && top.replica();
        if (leave || primaryInsideReplica) {
            Transaction suspended = tm.suspend();
            try {
                return own(ic, spec, leave ? spec.options() : withoutLeave(spec.options()));
            } finally {
                tm.resume(suspended);
            }
        }
        if (top != null) {
            try (RoutingScope nested = Routing.open(spec.intent(), spec.options())) {
                resolveNow();
                return ic.proceed();
            }
        }
        return pinned(ic, spec, active);
    }

    /** The call in a transaction of its own, on the node its scope resolves to now. */
    private Object own(InvocationContext ic, RouteSpec spec, RoutingOptions options) throws Exception {
        boolean beginHere = !transactional(ic);
        boolean readOnly = spec.intent() != Intent.WRITE;
        try (RoutingScope ignored = Routing.open(spec.intent(), options)) {
            RoutingDecision decision = resolveNow();
            boolean retried = false;
            while (true) {
                CurrentEntityManager.Frame[] holder = new CurrentEntityManager.Frame[1];
                CurrentEntityManager.Frame frame = CurrentEntityManager.pushLazy(() -> openWatched(readOnly, holder[0]),
                        decision.replica());
                holder[0] = frame;
                boolean began = false;
                try {
                    if (beginHere) {
                        tm.begin();
                        began = true;
                    }
                    Object result = ic.proceed();
                    if (began) {
                        began = false;
                        tm.commit();
                    }
                    if (frame.completion() == Status.STATUS_ROLLEDBACK) {
                        lostConnection(decision);
                    }
                    return result;
                } catch (Exception thrown) {
                    if (began) {
                        rollbackQuietly();
                    }
                    String node = decision.node();
                    Exception e = thrown;
                    if (spec.intent() == Intent.READ && (isCommitFailure(thrown) || isJdbcFailure(thrown))
                            && !integration.reachable(node)) {
                        // the read's commit failed because its node went away (the manager attaches no cause), or a
                        // statement failed after Hibernate's find returned null in a transaction marked for
                        // rollback (HHH-12472) and the pool reports it in its own words (IronJacamar IJ031040)
                        e = integration.connectionLost(new IllegalStateException("the read's transaction could not be"
                                + " committed: " + thrown.getMessage()), node);
                    }
                    if (!retried && spec.intent() == Intent.READ && integration.worthRetrying(e, node)) {
                        decision = integration.rerouteCurrentScope(node, String.valueOf(e.getMessage()));
                        retried = true;
                        continue;
                    }
                    throw translate(e, decision);
                } finally {
                    CurrentEntityManager.pop();
                    frame.close();
                }
            }
        }
    }

    /** A first annotated call inside a transaction begun by somebody else: the primary, joining it. */
    private Object pinned(InvocationContext ic, RouteSpec spec, Transaction active) throws Exception {
        try (RoutingScope scope = ReplicationIntegration.openJoiningScope(spec.intent())) {
            RoutingDecision decision = resolveNow();
            CurrentEntityManager.Frame frame = CurrentEntityManager.pushLazy(() -> open(spec.intent() != Intent.WRITE), false);
            boolean deferred = false;
            try {
                Object result = ic.proceed();
                deferred = closeAfterCompletion(active, frame);
                return result;
            } catch (Exception e) {
                deferred = closeAfterCompletion(active, frame);
                throw translate(e, decision);
            } finally {
                CurrentEntityManager.pop();
                if (!deferred) {
                    frame.close();
                }
            }
        }
    }

    /** The caller's transaction owns the EntityManager's changes: close it once that transaction completes. */
    private static boolean closeAfterCompletion(Transaction tx, CurrentEntityManager.Frame frame) {
        try {
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    frame.close();
                }
            });
            return true;
        } catch (RollbackException | IllegalStateException | SystemException e) {
            return false;
        }
    }

    /**
     * The call returned normally but its transaction was rolled back (a transaction marked
     * rollback-only is rolled back silently by {@code @Transactional}). When that happened because
     * the node's connection was lost, Hibernate may even have answered a lookup with {@code null}
     * (HHH-12472): report the lost connection instead of a result that may be wrong.
     */
    private void lostConnection(RoutingDecision decision) {
        if (!integration.reachable(decision.node())) {
            throw integration.connectionLost(new IllegalStateException("the call's transaction on " + decision.node()
                    + " was rolled back although the call returned"), decision.node());
        }
    }

    /** Opens the call's EntityManager and records the outcome of the transaction it joins in {@code frame}. */
    private EntityManager openWatched(boolean readOnly, CurrentEntityManager.Frame frame) {
        EntityManager em = open(readOnly);
        try {
            Transaction tx = tm.getTransaction();
            if (tx != null) {
                tx.registerSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                        frame.completed(status);
                    }
                });
            }
        } catch (RollbackException | IllegalStateException | SystemException e) {
            // marked for rollback already: the call's outcome shows it
        }
        return em;
    }

    private EntityManager open(boolean readOnly) {
        EntityManager em = emf.createEntityManager();
        if (activeTransaction() != null) {
            em.joinTransaction();
        }
        if (readOnly) {
            em.unwrap(Session.class).setDefaultReadOnly(true);
        }
        return em;
    }

    private RoutingDecision resolveNow() {
        return integration.resolveCurrentScope();
    }

    private Transaction activeTransaction() {
        try {
            Transaction tx = tm.getTransaction();
            if (tx == null) {
                return null;
            }
            int status = tx.getStatus();
            return status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK ? tx : null;
        } catch (SystemException e) {
            throw new IllegalStateException("The transaction manager failed to report the thread's transaction", e);
        }
    }

    private void rollbackQuietly() {
        try {
            tm.rollback();
        } catch (IllegalStateException | SecurityException | SystemException ignored) {
            // the original failure is what matters
        }
    }

    private boolean transactional(InvocationContext ic) {
        Object target = ic.getTarget();
        Class<?> type = target == null ? null : target.getClass();
        Method m = ic.getMethod();
        return transactional.computeIfAbsent(new Key(type, m), k -> {
            if (k.method() != null && k.method().isAnnotationPresent(Transactional.class)) {
                return true;
            }
            for (Class<?> c = k.target(); c != null && c != Object.class; c = c.getSuperclass()) {
                if (c.isAnnotationPresent(Transactional.class)) {
                    return true;
                }
            }
            return k.method() != null && k.method().getDeclaringClass().isAnnotationPresent(Transactional.class);
        });
    }

    /** A failure of the database work itself: a SQLException or a PersistenceException in the causes. */
    private static boolean isJdbcFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException || t instanceof PersistenceException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCommitFailure(Exception e) {
        return e instanceof RollbackException || e instanceof HeuristicMixedException
                || e instanceof HeuristicRollbackException || e instanceof SystemException;
    }

    private static RoutingOptions withoutLeave(RoutingOptions o) {
        return o.leaveTransaction() ? new RoutingOptions(o.maxLag(), o.noReplica(), false) : o;
    }

    /**
     * The library's exception for a failure of the call or of the commit of its transaction; a
     * checked exception of the method itself is returned unchanged.
     */
    private Exception translate(Exception e, RoutingDecision decision) {
        if (e instanceof RuntimeException re) {
            return integration.translateFailure(re, decision);
        }
        if (isCommitFailure(e)) {
            PersistenceException wrapped = new PersistenceException(e.getMessage(), e);
            RuntimeException t = integration.translateCommitFailure(wrapped, decision, e instanceof RollbackException);
            return t == wrapped ? e : t;
        }
        return e;
    }
}
