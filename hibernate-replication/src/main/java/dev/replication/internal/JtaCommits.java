package dev.replication.internal;

import dev.replication.ConsistencyScope;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.RollbackException;

import java.util.Map;
import java.util.function.Consumer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-after-write tokens and commit outcomes of JTA transactions, whose commit the transaction
 * manager performs (not our connection wrapper). A transaction that takes a write connection on
 * the primary gets one {@link Synchronization}:
 * <ul>
 *   <li>{@code beforeCompletion} runs after the persistence context was flushed (Hibernate's own
 *       synchronization is registered first), so reaching it means the commit itself is next;</li>
 *   <li>{@code afterCompletion(COMMITTED)} gives the thread's consistency scope a pending position
 *       ({@link ReplicationRuntime#afterJtaCommit()}): the primary's position asked after this
 *       point, once a read needs it, is at or after the commit record. Nothing is queried here;</li>
 *   <li>{@code afterCompletion(ROLLEDBACK)} after the commit had started records, for this thread,
 *       that a failure seen now happened during the commit: with a lost connection its outcome is
 *       unknown (one-phase resources report such a failure as a rollback).</li>
 * </ul>
 * Thread-safety: one instance per runtime, used from any application thread.
 */
public final class JtaCommits {
    private static final ThreadLocal<Boolean> COMMIT_STARTED_THEN_FAILED = new ThreadLocal<>();

    private final ReplicationRuntime runtime;
    private final TransactionManager tm;
    private final Consumer<Synchronization> interposed;
    private final Map<Transaction, Sync> pending = new ConcurrentHashMap<>();
    private final Set<Transaction> connected = ConcurrentHashMap.newKeySet();

    /**
     * @param interposed registers an interposed synchronization with the transaction manager (Hibernate's
     *                   {@code JtaPlatform.registerSynchronization}), for where a plain one is refused
     */
    public JtaCommits(ReplicationRuntime runtime, TransactionManager tm, Consumer<Synchronization> interposed) {
        this.runtime = runtime;
        this.tm = tm;
        this.interposed = interposed;
    }

    /** True when a JTA transaction is active (or marked for rollback) on this thread. */
    public boolean transactionActive() {
        try {
            Transaction tx = tm.getTransaction();
            if (tx == null) {
                return false;
            }
            int status = tx.getStatus();
            return status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK;
        } catch (SystemException e) {
            return false;
        }
    }

    /** Suspends the thread's active JTA transaction and returns it, or {@code null} when none is active. */
    public Transaction suspendIfActive() {
        if (!transactionActive()) {
            return null;
        }
        try {
            return tm.suspend();
        } catch (SystemException e) {
            throw new IllegalStateException("The transaction manager could not suspend the thread's transaction", e);
        }
    }

    /**
     * Suspends whatever transaction is associated with this thread, in any state (also one that
     * just completed, whose synchronizations are still running), or returns {@code null} when none
     * is or it cannot be suspended.
     */
    public Transaction suspendAny() {
        try {
            return tm.getTransaction() == null ? null : tm.suspend();
        } catch (SystemException | RuntimeException e) {
            return null;
        }
    }

    /** Resumes a transaction {@link #suspendIfActive()} or {@link #suspendAny()} returned (nothing for {@code null}). */
    public void resume(Transaction suspended) {
        if (suspended == null) {
            return;
        }
        try {
            tm.resume(suspended);
        } catch (InvalidTransactionException | SystemException e) {
            throw new IllegalStateException("The transaction manager could not resume " + suspended, e);
        }
    }

    /**
     * Records that the library handed out a connection in the thread's active transaction; true
     * the first time for that transaction (its database transaction then starts on that connection).
     */
    public boolean firstConnectionOfTransaction() {
        Transaction tx;
        try {
            tx = tm.getTransaction();
            if (tx == null || tx.getStatus() != Status.STATUS_ACTIVE) {
                return false;
            }
        } catch (SystemException e) {
            return false;
        }
        if (!connected.add(tx)) {
            return false;
        }
        try {
            tx.registerSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    connected.remove(tx);
                }
            });
        } catch (RollbackException | IllegalStateException | SystemException e) {
            connected.remove(tx);
        }
        return true;
    }

    /** Called when a write connection on the primary is handed out; registers once per transaction. */
    public void writeConnectionTaken() {
        Transaction tx;
        try {
            tx = tm.getTransaction();
            if (tx == null || tx.getStatus() != Status.STATUS_ACTIVE) {
                return;
            }
        } catch (SystemException e) {
            return;
        }
        pending.computeIfAbsent(tx, t -> {
            Sync s = new Sync(t);
            try {
                t.registerSynchronization(s);
                return s;
            } catch (IllegalStateException | RollbackException | SystemException refused) {
                // a write whose only SQL is Hibernate's flush at commit takes its connection inside the
                // transaction's beforeCompletion, where WildFly's transaction manager refuses a plain
                // synchronization (ARJUNA016082); an interposed one, through the JTA platform, is allowed
                try {
                    interposed.accept(s);
                    return s;
                } catch (RuntimeException e) {
                    // no way to hear about the commit: the position is asked once the transaction is over
                    ConsistencyScope.current().advanceWhenKnown(afterCompletionOf(t));
                    Log.LOG.debugf(e, "no commit synchronization for %s (%s)", t, refused.getMessage());
                    return null;
                }
            }
        });
    }

    /**
     * A pending position for a write whose commit this class cannot hear about: unknown while the
     * transaction is still running, then the primary's position asked after it ended (which covers
     * its commit, if it committed).
     */
    private java.util.function.LongSupplier afterCompletionOf(Transaction tx) {
        return () -> {
            try {
                int status = tx.getStatus();
                if (status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK
                        || status == Status.STATUS_PREPARING || status == Status.STATUS_PREPARED
                        || status == Status.STATUS_COMMITTING) {
                    return -1;
                }
            } catch (SystemException | RuntimeException e) {
                return -1;
            }
            return runtime.positions().positionAskedNow();
        };
    }

    /**
     * True, once, when the last JTA transaction that completed on this thread had reached its
     * commit (flush done) and was then rolled back: a connection failure then makes the outcome
     * unknown rather than "not committed".
     */
    public static boolean lastCommitFailedAfterStart() {
        Boolean b = COMMIT_STARTED_THEN_FAILED.get();
        COMMIT_STARTED_THEN_FAILED.remove();
        return b != null && b;
    }

    private final class Sync implements Synchronization {
        private final Transaction tx;
        private volatile boolean commitStarted;

        Sync(Transaction tx) {
            this.tx = tx;
        }

        @Override
        public void beforeCompletion() {
            commitStarted = true;
        }

        @Override
        public void afterCompletion(int status) {
            pending.remove(tx);
            if (status == Status.STATUS_COMMITTED) {
                COMMIT_STARTED_THEN_FAILED.remove();
                runtime.positions().afterJtaCommit();
            } else {
                COMMIT_STARTED_THEN_FAILED.set(commitStarted);
            }
        }
    }
}
