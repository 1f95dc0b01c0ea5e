package dev.replication;

import dev.replication.hibernate.ReplicationConnectionProvider;
import dev.replication.hibernate.internal.ReplicaCacheGuard;
import dev.replication.internal.Failures;
import dev.replication.internal.JtaCommits;
import dev.replication.internal.Log;
import dev.replication.internal.ReplicationRuntime;
import dev.replication.internal.ScopeStack;
import dev.replication.spi.RoutingListener;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.transaction.Transaction;
import org.hibernate.Session;

import java.util.Optional;
import java.util.function.Function;

/**
 * The programmatic API, for code without CDI: runs units of work on the right node of the
 * cluster behind an {@link EntityManagerFactory} configured with
 * {@link ReplicationConnectionProvider}.
 * <pre>{@code
 * Replication replication = Replication.of(emf);
 * User u = replication.read(em -> em.find(User.class, id));              // a replica
 * replication.write(em -> { em.persist(order); return order; });         // the primary, committed
 * User fresh = replication.readStrong(em -> em.find(User.class, id));    // the primary
 * }</pre>
 * Each call opens a routing scope, an EntityManager and a transaction (read-only on replicas),
 * and commits on normal return or rolls back on exception. Nested calls on the same thread join
 * the enclosing call's EntityManager and transaction when the node allows it (a read inside a
 * write stays in the write's transaction on the primary); a write inside a read opens its own
 * EntityManager on the primary. A read whose replica connection fails before the work returned
 * is retried once on another node ({@code replication.retry-reads}).
 * <p>
 * Read-after-write: each committed write advances the token of the thread's
 * {@link ConsistencyScope}; later reads in that scope go only to replicas that replayed it.
 * <p>
 * On a JTA unit each call runs in a JTA transaction (begun through Hibernate, which joins one that
 * is already active); a call that needs a transaction of its own inside another suspends it, and
 * calls inside a transaction somebody else began stay on its node, the primary (reads with
 * {@link RoutingOptions#leaveTransaction()} suspend it for a replica).
 * <p>
 * Thread-safe; one instance per EntityManagerFactory is enough.
 */
public final class Replication {

    private final EntityManagerFactory emf;
    private final ReplicationRuntime runtime;
    private final ThreadLocal<Frame> frame = new ThreadLocal<>();

    private record Frame(EntityManager em, RoutingDecision decision, Frame outer) {
    }

    private Replication(EntityManagerFactory emf, ReplicationRuntime runtime) {
        this.emf = emf;
        this.runtime = runtime;
    }

    /**
     * The facade over {@code emf}.
     *
     * @throws ReplicationConfigurationException when {@code emf} does not use {@link ReplicationConnectionProvider}
     */
    public static Replication of(EntityManagerFactory emf) {
        return new Replication(emf, ReplicationConnectionProvider.runtimeOf(emf));
    }

    public EntityManagerFactory entityManagerFactory() {
        return emf;
    }

    /** Reads on a replica chosen by the selector (or the primary when none qualifies, per policy). */
    public <T> T read(Function<EntityManager, T> work) {
        return transaction(Intent.READ, RoutingOptions.DEFAULT, work);
    }

    /** Reads on a replica with per-call overrides (tighter lag bound, no-replica policy). */
    public <T> T read(RoutingOptions options, Function<EntityManager, T> work) {
        return transaction(Intent.READ, options, work);
    }

    /** Reads on the primary: sees every committed write. */
    public <T> T readStrong(Function<EntityManager, T> work) {
        return transaction(Intent.READ_STRONG, RoutingOptions.DEFAULT, work);
    }

    /** Runs {@code work} in a transaction on the primary; commits on return, rolls back on exception. */
    public <T> T write(Function<EntityManager, T> work) {
        return transaction(Intent.WRITE, RoutingOptions.DEFAULT, work);
    }

    /** Runs {@code work} in a transaction on the node {@code intent} resolves to (the seed's {@code transaction(action, fun)}). */
    public <T> T transaction(Intent intent, Function<EntityManager, T> work) {
        return transaction(intent, RoutingOptions.DEFAULT, work);
    }

    /** As {@link #transaction(Intent, Function)}, with per-call routing options. */
    public <T> T transaction(Intent intent, RoutingOptions options, Function<EntityManager, T> work) {
        Frame outer = frame.get();
        JtaCommits jta = runtime.jta();
        boolean foreignJta = outer == null && jta != null && jta.transactionActive();
        boolean leave = intent == Intent.READ && options != null && options.leaveTransaction();
        if (leave && outer == null && !foreignJta) {
            options = new RoutingOptions(options.maxLag(), options.noReplica(), false); // nothing to leave
        }
        if (foreignJta && !leave) {
            // a JTA transaction somebody else began: stay on its node, the primary, and join it
            return run(intent, options, work, null, false, ScopeStack.pushJoined(intent));
        }
        Transaction suspended = jta != null && (outer != null || leave) && !joins(outer, intent, leave)
                ? jta.suspendIfActive() : null;
        try {
            return run(intent, options, work, outer, leave, null);
        } finally {
            if (jta != null) {
                jta.resume(suspended);
            }
        }
    }

    /** Whether a call joins the enclosing call's transaction (else it runs in one of its own). */
    private static boolean joins(Frame outer, Intent intent, boolean leave) {
        return outer != null && !leave && (intent == Intent.READ || !outer.decision.replica());
    }

    /** Runs {@code work}, in the scope {@code given} when not null (then closed here), else in one opened here. */
    private <T> T run(Intent intent, RoutingOptions options, Function<EntityManager, T> work, Frame outer,
                      boolean leave, ScopeStack.Scope given) {
        if (joins(outer, intent, leave)) {
            // joins the enclosing transaction; its scope still resolves (and publishes) like any nested scope
            try (ScopeStack.Scope joined = ScopeStack.push(intent, options)) {
                joined.resolve(runtime);
                return work.apply(outer.em);
            }
        }
        try (ScopeStack.Scope scope = given != null ? given : ScopeStack.push(intent, options)) {
            boolean retried = false;
            while (true) {
                RoutingDecision decision = scope.resolve(runtime);
                EntityManager em = emf.createEntityManager();
                frame.set(new Frame(em, decision, outer));
                EntityTransaction tx = null;
                try {
                    if (decision.replica()) {
                        Session session = em.unwrap(Session.class);
                        session.setDefaultReadOnly(true);
                        ReplicaCacheGuard.ignoreCache(session);
                    }
                    tx = em.getTransaction();
                    tx.begin();
                    T result = work.apply(em);
                    tx.commit();
                    return result;
                } catch (RuntimeException caught) {
                    boolean rollbackOnly = rollbackOnly(tx);
                    rollbackQuietly(tx);
                    var node = runtime.node(decision.node()).orElse(null);
                    // Hibernate's find() returns null instead of throwing when a JDBC error happens in a
                    // transaction already marked rollback-only (HHH-12472), so the work may fail in its own
                    // way after the connection was lost: report the lost connection, not the symptom.
                    RuntimeException e = rollbackOnly && node != null && !node.health().up()
                            && !Failures.isConnectionFailure(caught)
                            ? Failures.connectionLost(caught, node) : caught;
                    if (!retried && intent == Intent.READ && !scope.joined() && runtime.config().retryReads()
                            && Failures.retryableRead(e, node)) {
                        String failed = decision.node();
                        runtime.node(failed).ifPresent(n -> runtime.markDown(n, "read failed: " + e.getMessage()));
                        Log.LOG.readRetried(failed, String.valueOf(e.getMessage()));
                        runtime.retried(failed, String.valueOf(e.getMessage()));
                        scope.reroute(runtime, failed);
                        retried = true;
                        continue;
                    }
                    throw Failures.translate(e, decision, runtime);
                } finally {
                    frame.set(outer);
                    em.close();
                }
            }
        }
    }

    private static boolean rollbackOnly(EntityTransaction tx) {
        try {
            return tx != null && tx.isActive() && tx.getRollbackOnly();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void rollbackQuietly(EntityTransaction tx) {
        try {
            if (tx != null && tx.isActive()) {
                tx.rollback();
            }
        } catch (RuntimeException ignored) {
            // the original failure is what matters
        }
    }

    /** Lag, health and status of the cluster. */
    public ReplicationMonitor monitor() {
        return new ReplicationMonitor(runtime);
    }

    /** Shortcut for {@code monitor().status()}. */
    public ClusterStatus status() {
        return runtime.status();
    }

    /** The read-after-write token of the thread's current {@link ConsistencyScope}. */
    public Optional<ConsistencyToken> currentToken() {
        return ConsistencyScope.current().token();
    }

    /**
     * Resumes consistency from a token received from elsewhere (an HTTP header, a message):
     * returns a scope to {@link ConsistencyScope#bind() bind} around the reads. The token is
     * untrusted: malformed input throws {@link IllegalArgumentException}; a token ahead of the
     * primary's current position is capped to it when a read uses it.
     */
    public ConsistencyScope resume(String token) {
        return ConsistencyScope.resume(token);
    }

    /**
     * Promotes the named standby now and routes writes to it (the operator's action in failover
     * mode {@code manual}). The old primary is fenced.
     */
    public void promote(String standby) {
        var node = runtime.node(standby).orElseThrow(() -> new IllegalArgumentException("Unknown node '" + standby
                + "'; nodes are " + runtime.nodes().stream().map(n -> n.name()).toList()));
        runtime.promote(node);
    }

    /** Registers a listener for routing events (see {@link RoutingListener}). */
    public void addListener(RoutingListener listener) {
        runtime.addListener(listener);
    }

    public void removeListener(RoutingListener listener) {
        runtime.removeListener(listener);
    }
}
